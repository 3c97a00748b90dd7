import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { normalizeEmail } from '../../people/normalize.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import type { Actor } from '../../team/audit.ts';
import { recordAudit } from '../../team/audit.ts';
import { createOpportunity, updateOpportunity } from './store.ts';

/** One closed deal reported by an SFA. `row` is the CSV line (header = 1) or the item's position (from 1). */
export interface OutcomeRow {
  row: number;
  email?: string | null;
  externalId?: string | null;
  status: string;
  amount?: number | null;
  currency?: string | null;
  lossReason?: string | null;
  closedAt?: string | null;
  name?: string | null;
}

export interface OutcomeProblem {
  row: number;
  reason: string;
  email?: string | null;
  externalId?: string | null;
}

export interface OutcomeResult {
  id: string;
  total: number;
  updated: number;
  created: number;
  unchanged: number;
  problems: OutcomeProblem[];
}

export const MAX_OUTCOME_ROWS = 10_000;

const WON = new Set(['won', 'closed won', 'closed-won', 'closed_won', '受注', '成約', 'win']);
const LOST = new Set(['lost', 'closed lost', 'closed-lost', 'closed_lost', '失注', '不成約', 'loss']);

/** 'won' | 'lost' from the spellings SFAs export (Closed Won, 受注, 失注 …), or undefined. Pure. */
export function outcomeStatus(value: string): 'won' | 'lost' | undefined {
  const v = value.trim().toLowerCase();
  if (WON.has(v)) return 'won';
  if (LOST.has(v)) return 'lost';
  return undefined;
}

/** A close date as a Date: YYYY-MM-DD, YYYY/MM/DD (as JST midnight) or an ISO timestamp. Pure. */
export function parseCloseDate(value: string): Date | undefined {
  const v = value.trim();
  const d = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(v);
  if (d) {
    const date = new Date(`${d[1]}-${d[2].padStart(2, '0')}-${d[3].padStart(2, '0')}T00:00:00+09:00`);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const t = new Date(v);
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(t.getTime()) ? t : undefined;
}

/** Column names accepted in an outcome CSV (English and the Japanese an SFA export uses). */
const HEADER_ALIASES: Record<string, keyof Omit<OutcomeRow, 'row'>> = {
  email: 'email',
  'e-mail': 'email',
  mail: 'email',
  メール: 'email',
  メールアドレス: 'email',
  externalid: 'externalId',
  external_id: 'externalId',
  opportunityid: 'externalId',
  opportunity_id: 'externalId',
  dealid: 'externalId',
  商談id: 'externalId',
  status: 'status',
  stage: 'status',
  result: 'status',
  結果: 'status',
  ステータス: 'status',
  フェーズ: 'status',
  amount: 'amount',
  金額: 'amount',
  受注金額: 'amount',
  currency: 'currency',
  通貨: 'currency',
  lossreason: 'lossReason',
  loss_reason: 'lossReason',
  失注理由: 'lossReason',
  closedat: 'closedAt',
  closed_at: 'closedAt',
  closedate: 'closedAt',
  close_date: 'closedAt',
  完了日: 'closedAt',
  クローズ日: 'closedAt',
  受注日: 'closedAt',
  name: 'name',
  opportunityname: 'name',
  商談名: 'name',
};

/** UTF-8 (with or without BOM) when it decodes cleanly, otherwise CP932 (Shift_JIS from Japanese Excel). */
export function decodeCsv(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    return iconv.decode(buf, 'cp932');
  }
}

/** Parses an outcome CSV into rows; a missing status column or an unparseable file is a 422. */
export function parseOutcomeCsv(buf: Buffer): OutcomeRow[] {
  let records: string[][];
  try {
    records = parse(decodeCsv(buf), {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
  } catch (err) {
    throw new AppError(422, 'validation', 'Invalid CSV', `file: ${(err as Error).message}`, [
      { path: 'file', message: 'not a readable CSV file' },
    ]);
  }
  if (records.length === 0)
    throw new AppError(422, 'validation', 'Invalid CSV', 'file: empty', [
      { path: 'file', message: 'the file is empty' },
    ]);
  const header = records[0].map((h) => HEADER_ALIASES[h.toLowerCase().replace(/[\s]/g, '')]);
  if (!header.includes('status') || !(header.includes('email') || header.includes('externalId'))) {
    throw new AppError(
      422,
      'validation',
      'Invalid CSV',
      'file: needs a status column and an email or externalId column',
      [
        {
          path: 'file',
          message: 'needs a status column (won/lost, 受注/失注) and an email or externalId column',
        },
      ],
    );
  }
  if (records.length - 1 > MAX_OUTCOME_ROWS) {
    throw new AppError(422, 'validation', 'Invalid CSV', `file: at most ${MAX_OUTCOME_ROWS} rows`, [
      { path: 'file', message: `at most ${MAX_OUTCOME_ROWS} rows per file` },
    ]);
  }
  return records.slice(1).map((cells, i) => {
    const row: OutcomeRow = { row: i + 2, status: '' };
    header.forEach((field, c) => {
      const v = cells[c]?.trim();
      if (!field || !v) return;
      if (field === 'amount') {
        const n = Number(v.replace(/[,，¥￥円\s]/g, ''));
        row.amount = Number.isFinite(n) ? n : Number.NaN;
      } else (row as unknown as Record<string, string>)[field] = v;
    });
    return row;
  });
}

interface OppRef {
  id: string;
  person_id: string | null;
  external_id: string | null;
  status: 'open' | 'won' | 'lost';
}

/**
 * Applies closed-won / closed-lost outcomes: each row finds its opportunity by external id, or
 * its person by e-mail (then the person's open deal, else a new closed deal is recorded), and
 * closes it — which moves the person to Won or Lost. One transaction; a row that fails is
 * rolled back alone (savepoint) and reported with its row number, like rows that match nothing.
 */
export async function applyOutcomes(
  tx: Queryable,
  actor: Actor,
  rows: OutcomeRow[],
  meta: { source: 'csv' | 'api'; filename?: string | null },
): Promise<OutcomeResult> {
  const ws = actor.workspaceId;
  const problems: OutcomeProblem[] = [];
  let updated = 0;
  let created = 0;
  let unchanged = 0;

  const externalIds = [...new Set(rows.map((r) => r.externalId).filter((x): x is string => !!x))];
  const emails = [
    ...new Set(
      rows.map((r) => (r.email ? normalizeEmail(r.email) : undefined)).filter((x): x is string => !!x),
    ),
  ];
  // Three set-based look-ups instead of one per row (opportunities_external_uq, people_email_uq, opportunities_person_idx).
  const byExternal = new Map(
    (
      await tx.query<OppRef>(
        'SELECT id, person_id, external_id, status FROM opportunities WHERE workspace_id = $1 AND external_id = ANY($2)',
        [ws, externalIds],
      )
    ).rows.map((o) => [o.external_id as string, o]),
  );
  const people = new Map(
    (
      await tx.query<{ id: string; email: string }>(
        'SELECT id, email FROM people WHERE workspace_id = $1 AND email = ANY($2)',
        [ws, emails],
      )
    ).rows.map((p) => [p.email, p.id]),
  );
  const latestDeal = new Map(
    (
      await tx.query<OppRef>(
        `SELECT DISTINCT ON (person_id) id, person_id, external_id, status FROM opportunities
         WHERE workspace_id = $1 AND person_id = ANY($2::uuid[])
         ORDER BY person_id, (status = 'open') DESC, created_at DESC`,
        [ws, [...people.values()]],
      )
    ).rows.map((o) => [o.person_id as string, o]),
  );

  for (const r of rows) {
    const problem = (reason: string) =>
      problems.push({ row: r.row, reason, email: r.email ?? null, externalId: r.externalId ?? null });
    const status = outcomeStatus(r.status ?? '');
    if (!status) {
      problem('status must be won or lost (受注 / 失注)');
      continue;
    }
    if (status === 'lost' && !r.lossReason?.trim()) {
      problem('a lost deal needs a loss reason');
      continue;
    }
    if (r.amount !== undefined && r.amount !== null && (!Number.isInteger(r.amount) || r.amount < 0)) {
      problem('amount must be a whole, non-negative number');
      continue;
    }
    const closedAt = r.closedAt ? parseCloseDate(r.closedAt) : undefined;
    if (r.closedAt && !closedAt) {
      problem('closedAt must be a date such as 2026-03-31');
      continue;
    }
    const email = r.email ? normalizeEmail(r.email) : undefined;
    const personId = email ? people.get(email) : undefined;
    let opp = r.externalId ? byExternal.get(r.externalId) : undefined;
    if (!opp && personId) opp = latestDeal.get(personId);
    if (!opp && !personId) {
      problem(
        r.externalId
          ? 'no opportunity with this external id and no person with this e-mail'
          : 'no person with this e-mail',
      );
      continue;
    }
    if (opp && opp.status === status) {
      unchanged++;
      continue;
    }
    await tx.query('SAVEPOINT outcome_row');
    try {
      const close = {
        status,
        lossReason: r.lossReason ?? null,
        closedAt: closedAt ?? undefined,
        ...(r.amount != null ? { amount: r.amount } : {}),
      };
      if (opp) {
        if (opp.status !== 'open')
          await updateOpportunity(tx, actor, opp.id, { status: 'open' }, { actorType: 'import' });
        await updateOpportunity(tx, actor, opp.id, close, { actorType: 'import' });
        opp.status = status;
        updated++;
      } else {
        const o = await createOpportunity(tx, actor, {
          personId: personId as string,
          name: r.name?.trim() || (r.externalId ? `SFA ${r.externalId}` : 'SFA'),
          amount: r.amount ?? 0,
          currency: r.currency && /^[A-Z]{3}$/.test(r.currency) ? r.currency : 'JPY',
          externalId: r.externalId ?? null,
          source: 'import',
        });
        await updateOpportunity(tx, actor, o.id, close, { actorType: 'import' });
        const ref: OppRef = {
          id: o.id,
          person_id: personId as string,
          external_id: r.externalId ?? null,
          status,
        };
        latestDeal.set(personId as string, ref);
        if (r.externalId) byExternal.set(r.externalId, ref);
        created++;
      }
      await tx.query('RELEASE SAVEPOINT outcome_row');
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT outcome_row');
      if (!(err instanceof AppError)) throw err;
      problem(err.detail ?? err.title);
    }
  }

  const rec = await tx.query<{ id: string }>(
    `INSERT INTO outcome_imports (workspace_id, source, filename, created_by, total, updated, created, unchanged, problems)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      ws,
      meta.source,
      meta.filename ?? null,
      actor.label,
      rows.length,
      updated,
      created,
      unchanged,
      JSON.stringify(problems),
    ],
  );
  await recordAudit(tx, actor, {
    action: 'opportunities.outcomes_imported',
    entityType: 'outcome_import',
    entityId: rec.rows[0].id,
    meta: { source: meta.source, total: rows.length, updated, created, unchanged, problems: problems.length },
  });
  return { id: rec.rows[0].id, total: rows.length, updated, created, unchanged, problems };
}

export async function listOutcomeImports(q: Queryable, workspaceId: number) {
  const r = await q.query<{
    id: string;
    source: string;
    filename: string | null;
    created_by: string | null;
    total: number;
    updated: number;
    created: number;
    unchanged: number;
    problems: OutcomeProblem[];
    created_at: Date;
  }>(
    `SELECT id, source, filename, created_by, total, updated, created, unchanged, problems, created_at
     FROM outcome_imports WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 50`,
    [workspaceId],
  );
  return r.rows.map((x) => ({
    id: x.id,
    source: x.source,
    filename: x.filename,
    createdBy: x.created_by,
    total: x.total,
    updated: x.updated,
    created: x.created,
    unchanged: x.unchanged,
    problems: x.problems,
    createdAt: x.created_at,
  }));
}
