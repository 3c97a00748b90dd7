import type { Queryable } from '../platform/db/client.ts';
import { decodeCursor, toPage } from '../platform/http/pagination.ts';
import type { Stage } from '../lifecycle/stages.ts';
import { normalizeEmail } from './normalize.ts';
import { PERSON_COLUMNS, type Person, type PersonRow, toPerson } from './person.ts';

export const PEOPLE_SORTS = ['created', 'score', 'name', 'updated'] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];

export interface PeopleFilter {
  email?: string;
  stage?: Stage[];
  ownerId?: string;
  unowned?: boolean;
  accountId?: string;
  channel?: string;
  fitGrade?: string[];
  minEngagement?: number;
  q?: string;
  sort?: PeopleSort;
  limit: number;
  cursor?: string;
}

// The cursor carries the sort value as PostgreSQL's own text (timestamps keep their
// microseconds, which a JS Date would drop) and casts it back.
const SORT_SQL: Record<PeopleSort, { expr: string; dir: 'ASC' | 'DESC'; cast: string }> = {
  created: { expr: 'created_at', dir: 'DESC', cast: 'timestamptz' },
  updated: { expr: 'updated_at', dir: 'DESC', cast: 'timestamptz' },
  score: { expr: 'engagement_score', dir: 'DESC', cast: 'integer' },
  name: { expr: "coalesce(last_name_kana, last_name, email)", dir: 'ASC', cast: 'text' },
};

/** The people list: filters, free text over name/kana/company/e-mail, a stable keyset sort. */
export async function listPeople(
  q: Queryable,
  workspaceId: number,
  f: PeopleFilter,
): Promise<{ items: Person[]; nextCursor: string | null }> {
  const where = ['workspace_id = $1'];
  const params: unknown[] = [workspaceId];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (f.email) add((n) => `email = $${n}`, normalizeEmail(f.email) ?? f.email.toLowerCase());
  if (f.stage?.length) add((n) => `stage = ANY($${n})`, f.stage);
  if (f.ownerId) add((n) => `owner_id = $${n}`, f.ownerId);
  if (f.unowned) where.push('owner_id IS NULL');
  if (f.accountId) add((n) => `account_id = $${n}`, f.accountId);
  if (f.channel) add((n) => `channel = $${n}`, f.channel);
  if (f.fitGrade?.length) add((n) => `fit_grade = ANY($${n})`, f.fitGrade);
  if (f.minEngagement !== undefined) add((n) => `engagement_score >= $${n}`, f.minEngagement);
  if (f.q) {
    for (const term of f.q.normalize('NFKC').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5)) {
      const like = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // Readings are stored in katakana: a term typed in hiragana (たなか) also finds タナカ.
      const katakana = term.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
      if (katakana === term) add((n) => `search_text LIKE $${n}`, like(term));
      else {
        params.push(like(term), like(katakana));
        where.push(`(search_text LIKE $${params.length - 1} OR search_text LIKE $${params.length})`);
      }
    }
  }
  const sort = SORT_SQL[f.sort ?? 'created'];
  const cursor = decodeCursor(f.cursor, 2);
  if (cursor) {
    const op = sort.dir === 'DESC' ? '<' : '>';
    params.push(cursor[0], cursor[1]);
    where.push(`(${sort.expr}, id) ${op} ($${params.length - 1}::${sort.cast}, $${params.length}::uuid)`);
  }
  params.push(f.limit + 1);
  const r = await q.query<PersonRow & { sort_value: unknown }>(
    `SELECT ${PERSON_COLUMNS}, (${sort.expr})::text AS sort_value FROM people WHERE ${where.join(' AND ')}
     ORDER BY ${sort.expr} ${sort.dir}, id ${sort.dir} LIMIT $${params.length}`,
    params,
  );
  const page = toPage(r.rows, f.limit, (last) => [last.sort_value, last.id]);
  return { items: page.items.map(toPerson), nextCursor: page.nextCursor };
}
