import { normalizeEmail } from '../../people/normalize.ts';
import { PERSON_COLUMNS, type Person, type PersonRow, toPerson } from '../../people/person.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { type Actor, recordAudit } from '../../team/audit.ts';
import { compileFilter } from './compile.ts';
import { type Filter, parseFilter, segmentRefs } from './filter.ts';

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  filter: Filter | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  filter: Filter | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, kind, filter, created_by, created_at, updated_at';
const MAX_SEGMENT_REFS = 50;

function toSegment(r: SegmentRow): Segment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind,
    filter: r.filter,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function getSegment(q: Queryable, workspaceId: number, id: string): Promise<Segment> {
  const r = await q.query<SegmentRow>(`SELECT ${COLUMNS} FROM segments WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  if (!r.rows[0]) throw notFound('Segment', id);
  return toSegment(r.rows[0]);
}

export async function listSegments(
  q: Queryable,
  workspaceId: number,
  opts: { limit: number; cursor?: string; q?: string },
): Promise<{ items: (Segment & { memberCount: number | null })[]; nextCursor: string | null }> {
  const after = decodeCursor(opts.cursor, 2);
  const r = await q.query<SegmentRow & { member_count: number | null; cursor_at: string }>(
    `SELECT ${COLUMNS}, created_at::text AS cursor_at,
            CASE WHEN kind = 'static' THEN (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id) END AS member_count
     FROM segments s WHERE workspace_id = $1
       AND ($2::text IS NULL OR lower(name) LIKE '%' || lower($2) || '%')
       AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $5`,
    [workspaceId, opts.q ?? null, after?.[0] ?? null, after?.[1] ?? null, opts.limit + 1],
  );
  // The cursor keeps the timestamp as PostgreSQL prints it (microseconds), not as a JS Date (milliseconds).
  const page = toPage(r.rows, opts.limit, (last) => [last.cursor_at, last.id]);
  return {
    items: page.items.map((row) => ({ ...toSegment(row), memberCount: row.member_count })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Replaces every `segment` reference by that segment's filter (a static list by its
 * membership), recursively. Throws a 422 for an unknown segment or a cycle.
 */
export async function resolveFilter(
  q: Queryable,
  workspaceId: number,
  filter: Filter,
  path = 'filter',
): Promise<Filter> {
  const known = new Map<string, Filter>();
  let pending = [...new Set(segmentRefs(filter))];
  while (pending.length) {
    if (known.size + pending.length > MAX_SEGMENT_REFS)
      throw invalid(path, `a filter may refer to at most ${MAX_SEGMENT_REFS} segments`);
    const r = await q.query<{ id: string; kind: string; filter: unknown }>(
      'SELECT id, kind, filter FROM segments WHERE workspace_id = $1 AND id = ANY($2::uuid[])',
      [workspaceId, pending],
    );
    const missing = pending.find((id) => !r.rows.some((row) => row.id === id));
    if (missing) throw invalid(`${path}.segment`, `unknown segment ${missing}`);
    const next: string[] = [];
    for (const row of r.rows) {
      const f: Filter = row.kind === 'static' ? { list: row.id } : parseFilter(row.filter, path);
      known.set(row.id, f);
      for (const ref of segmentRefs(f)) if (!known.has(ref)) next.push(ref);
    }
    pending = [...new Set(next)].filter((id) => !known.has(id));
  }
  const inline = (f: Filter, stack: string[]): Filter => {
    if ('and' in f) return { and: f.and.map((x) => inline(x, stack)) };
    if ('or' in f) return { or: f.or.map((x) => inline(x, stack)) };
    if ('not' in f) return { not: inline(f.not, stack) };
    if ('segment' in f) {
      if (stack.includes(f.segment))
        throw invalid(`${path}.segment`, 'segments refer to each other in a cycle');
      return inline(known.get(f.segment) as Filter, [...stack, f.segment]);
    }
    return f;
  };
  return inline(filter, []);
}

/** The saved filter of a segment with nested segments inlined; a static list is its membership. */
export async function segmentFilter(q: Queryable, workspaceId: number, segmentId: string): Promise<Filter> {
  const s = await getSegment(q, workspaceId, segmentId);
  if (s.kind === 'static') return { list: s.id };
  return resolveFilter(q, workspaceId, s.filter as Filter);
}

/** Whether one person matches a filter now (correlated probes on the per-person indexes). */
export async function personMatches(
  q: Queryable,
  workspaceId: number,
  filter: Filter,
  personId: string,
  now: Date,
): Promise<boolean> {
  const resolved = await resolveFilter(q, workspaceId, filter);
  const c = compileFilter(resolved, { workspaceId, now, firstParam: 3, strategy: 'person' });
  const r = await q.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM people p WHERE p.workspace_id = $1 AND p.id = $2 AND ${c.sql}) AS ok`,
    [workspaceId, personId, ...c.params],
  );
  return r.rows[0]?.ok === true;
}

/** How many people match, and the newest few of them (the segment editor's live preview). */
export async function countAndSample(
  q: Queryable,
  workspaceId: number,
  filter: Filter,
  now: Date,
  sampleSize = 10,
): Promise<{ count: number; sample: Person[] }> {
  const resolved = await resolveFilter(q, workspaceId, filter);
  const c = compileFilter(resolved, { workspaceId, now, firstParam: 2 });
  const count = await q.query<{ n: number }>(
    `SELECT count(*) AS n FROM people p WHERE p.workspace_id = $1 AND ${c.sql}`,
    [workspaceId, ...c.params],
  );
  const sample =
    sampleSize > 0
      ? await q.query<PersonRow>(
          `SELECT ${PERSON_COLUMNS} FROM people p WHERE p.workspace_id = $1 AND ${c.sql}
           ORDER BY p.created_at DESC, p.id DESC LIMIT ${Math.min(50, Math.max(1, Math.floor(sampleSize)))}`,
          [workspaceId, ...c.params],
        )
      : { rows: [] };
  return { count: count.rows[0].n, sample: sample.rows.map(toPerson) };
}

/** The people matching a filter, newest first, with a keyset cursor (people_created_idx). */
export async function listMatchingPeople(
  q: Queryable,
  workspaceId: number,
  filter: Filter,
  now: Date,
  page: { limit: number; cursor?: string },
): Promise<{ items: Person[]; nextCursor: string | null }> {
  const resolved = await resolveFilter(q, workspaceId, filter);
  const after = decodeCursor(page.cursor, 2);
  const c = compileFilter(resolved, { workspaceId, now, firstParam: 5 });
  const r = await q.query<PersonRow & { cursor_at: string }>(
    `SELECT ${PERSON_COLUMNS}, p.created_at::text AS cursor_at FROM people p
     WHERE p.workspace_id = $1 AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2, $3::uuid)) AND ${c.sql}
     ORDER BY p.created_at DESC, p.id DESC LIMIT $4`,
    [workspaceId, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1, ...c.params],
  );
  const p = toPage(r.rows, page.limit, (last) => [last.cursor_at, last.id]);
  return { items: p.items.map(toPerson), nextCursor: p.nextCursor };
}

export interface SegmentInput {
  name: string;
  description?: string | null;
  kind: 'dynamic' | 'static';
  filter?: unknown;
}

async function checkedFilter(
  q: Queryable,
  workspaceId: number,
  raw: unknown,
  selfId?: string,
): Promise<Filter> {
  const f = parseFilter(raw, 'filter');
  if (selfId && segmentRefs(f).includes(selfId))
    throw invalid('filter.segment', 'a segment cannot contain itself');
  const resolved = await resolveFilter(q, workspaceId, f);
  // Compiling catches what validation cannot see, e.g. a cycle through this segment.
  compileFilter(resolved, { workspaceId, now: new Date() });
  return f;
}

function nameTaken(err: unknown): never {
  if (isUniqueViolation(err, 'segments_name_uq'))
    throw conflict('duplicate-name', 'A segment with this name already exists');
  throw err;
}

export async function createSegment(q: Queryable, actor: Actor, input: SegmentInput): Promise<Segment> {
  const ws = actor.workspaceId;
  if (input.kind === 'static' && input.filter !== undefined)
    throw invalid('filter', 'a static list has members, not a filter');
  if (input.kind === 'dynamic' && input.filter === undefined)
    throw invalid('filter', 'a dynamic segment needs a filter');
  const filter = input.kind === 'dynamic' ? await checkedFilter(q, ws, input.filter) : null;
  const r = await q
    .query<SegmentRow>(
      `INSERT INTO segments (workspace_id, name, description, kind, filter, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        ws,
        input.name.trim(),
        input.description ?? null,
        input.kind,
        filter ? JSON.stringify(filter) : null,
        actor.label,
      ],
    )
    .catch(nameTaken);
  const s = toSegment(r.rows[0]);
  await recordAudit(q, actor, {
    action: 'segment.created',
    entityType: 'segment',
    entityId: s.id,
    meta: { name: s.name, kind: s.kind },
  });
  return s;
}

export async function updateSegment(
  q: Queryable,
  actor: Actor,
  id: string,
  patch: { name?: string; description?: string | null; filter?: unknown },
): Promise<Segment> {
  const ws = actor.workspaceId;
  const before = await getSegment(q, ws, id);
  if (patch.filter !== undefined && before.kind === 'static')
    throw invalid('filter', 'a static list has members, not a filter');
  const filter = patch.filter !== undefined ? await checkedFilter(q, ws, patch.filter, id) : before.filter;
  const r = await q
    .query<SegmentRow>(
      `UPDATE segments SET name = $3, description = $4, filter = $5, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [
        ws,
        id,
        patch.name?.trim() ?? before.name,
        patch.description === undefined ? before.description : patch.description,
        filter ? JSON.stringify(filter) : null,
      ],
    )
    .catch(nameTaken);
  const after = toSegment(r.rows[0]);
  if (patch.filter !== undefined) {
    // A cycle through segments that name this one is only visible once the new filter is in place.
    await resolveFilter(q, ws, { segment: id });
  }
  const changes: Record<string, [unknown, unknown]> = {};
  if (before.name !== after.name) changes.name = [before.name, after.name];
  if (before.description !== after.description) changes.description = [before.description, after.description];
  if (JSON.stringify(before.filter) !== JSON.stringify(after.filter))
    changes.filter = [before.filter, after.filter];
  await recordAudit(q, actor, { action: 'segment.updated', entityType: 'segment', entityId: id, changes });
  return after;
}

async function segmentsReferring(
  q: Queryable,
  workspaceId: number,
  id: string,
): Promise<{ id: string; name: string }[]> {
  // Segment filters are small JSON documents; a text search is enough to find references.
  const r = await q.query<{ id: string; name: string }>(
    `SELECT id, name FROM segments WHERE workspace_id = $1 AND id <> $2 AND filter::text LIKE '%' || $2 || '%'`,
    [workspaceId, id],
  );
  return r.rows;
}

export async function deleteSegment(q: Queryable, actor: Actor, id: string): Promise<void> {
  const ws = actor.workspaceId;
  const s = await getSegment(q, ws, id);
  const users = await segmentsReferring(q, ws, id);
  if (users.length) throw conflict('segment-in-use', `Segment is used by segment "${users[0].name}"`);
  await q.query('DELETE FROM segments WHERE workspace_id = $1 AND id = $2', [ws, id]);
  await recordAudit(q, actor, {
    action: 'segment.deleted',
    entityType: 'segment',
    entityId: id,
    meta: { name: s.name },
  });
}

export interface MembersInput {
  personIds?: string[];
  emails?: string[];
  importId?: string;
  filter?: unknown;
}

/** The person ids named by a members request (ids, e-mails, an import, or everyone matching a filter now). */
async function selectPeopleSql(
  q: Queryable,
  ws: number,
  input: MembersInput,
  now: Date,
): Promise<{ sql: string; params: unknown[] }> {
  const parts: string[] = [];
  const params: unknown[] = [ws];
  if (input.personIds?.length) {
    params.push(input.personIds);
    parts.push(`p.id = ANY($${params.length}::uuid[])`);
  }
  if (input.emails?.length) {
    params.push(input.emails.map((e) => normalizeEmail(e) ?? e.trim().toLowerCase()));
    parts.push(`p.email = ANY($${params.length}::text[])`);
  }
  if (input.importId) {
    params.push(input.importId);
    parts.push(
      `p.id IN (SELECT a.person_id FROM activities a WHERE a.workspace_id = $1 AND a.type = 'import' AND a.properties->>'importId' = $${params.length})`,
    );
  }
  if (input.filter !== undefined) {
    const f = await resolveFilter(q, ws, parseFilter(input.filter, 'filter'));
    const c = compileFilter(f, { workspaceId: ws, now, firstParam: params.length + 1 });
    params.push(...c.params);
    parts.push(c.sql);
  }
  if (!parts.length) throw invalid('personIds', 'name people by personIds, emails, importId or filter');
  return { sql: `SELECT p.id FROM people p WHERE p.workspace_id = $1 AND (${parts.join(' OR ')})`, params };
}

async function staticSegment(q: Queryable, ws: number, id: string): Promise<Segment> {
  const s = await getSegment(q, ws, id);
  if (s.kind !== 'static')
    throw conflict('not-a-list', 'Only a static list has members to add or remove; edit the filter instead');
  return s;
}

/** Adds people to a static list in one statement; returns how many were new. */
export async function addMembers(
  q: Queryable,
  actor: Actor,
  id: string,
  input: MembersInput,
  now: Date,
): Promise<number> {
  const ws = actor.workspaceId;
  await staticSegment(q, ws, id);
  const sel = await selectPeopleSql(q, ws, input, now);
  const n = sel.params.length;
  const r = await q.query(
    `INSERT INTO segment_members (workspace_id, segment_id, person_id, added_by)
     SELECT $1, $${n + 1}::uuid, s.id, $${n + 2} FROM (${sel.sql}) s
     ON CONFLICT (segment_id, person_id) DO NOTHING`,
    [...sel.params, id, actor.label],
  );
  await recordAudit(q, actor, {
    action: 'segment.members_added',
    entityType: 'segment',
    entityId: id,
    meta: { added: r.affectedRows },
  });
  return r.affectedRows;
}

export async function removeMembers(
  q: Queryable,
  actor: Actor,
  id: string,
  input: MembersInput,
  now: Date,
): Promise<number> {
  const ws = actor.workspaceId;
  await staticSegment(q, ws, id);
  const sel = await selectPeopleSql(q, ws, input, now);
  const r = await q.query(
    `DELETE FROM segment_members WHERE segment_id = $${sel.params.length + 1}::uuid AND person_id IN (${sel.sql})`,
    [...sel.params, id],
  );
  await recordAudit(q, actor, {
    action: 'segment.members_removed',
    entityType: 'segment',
    entityId: id,
    meta: { removed: r.affectedRows },
  });
  return r.affectedRows;
}
