import type { Queryable } from '../../platform/db/client.ts';
import { notFound } from '../../platform/errors.ts';
import type { Actor } from '../../team/audit.ts';
import type { RowIssue } from './rows.ts';

export type ImportStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface ImportCounts {
  /** Data rows read (the header is not counted). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows whose e-mail appeared earlier in the same file (merged into that person). */
  duplicates: number;
  /** Rows rejected (no or bad e-mail, oversized cell, ragged row). */
  invalid: number;
  /** Rows imported with a value left out. */
  warnings: number;
  /** People added to the campaign (new memberships). */
  campaignMembers: number;
}

export const emptyCounts = (): ImportCounts => ({
  rows: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  duplicates: 0,
  invalid: 0,
  warnings: 0,
  campaignMembers: 0,
});

export interface ImportSettings {
  encoding: 'auto' | 'utf8' | 'sjis';
  mapping?: Record<string, string>;
  campaign?: string;
  campaignStatus?: string;
  source?: string;
  channel?: string;
}

export interface ImportRecord {
  id: string;
  fileName: string;
  fileSize: number;
  fileHash: string | null;
  encoding: string | null;
  status: ImportStatus;
  dryRun: boolean;
  options: ImportSettings;
  headers: string[] | null;
  mapping: string[] | null;
  campaignId: string | null;
  rowsProcessed: number;
  bytesProcessed: number;
  /** 0–1: bytes read over the file size. */
  progress: number;
  counts: ImportCounts;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface ImportRow {
  id: string;
  file_name: string;
  file_size: number;
  file_hash: string | null;
  encoding: string | null;
  status: ImportStatus;
  dry_run: boolean;
  options: ImportSettings;
  headers: string[] | null;
  mapping: string[] | null;
  campaign_id: string | null;
  rows_processed: number;
  bytes_processed: number;
  counts: Partial<ImportCounts>;
  error: string | null;
  actor_label: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, file_name, file_size, file_hash, encoding, status, dry_run, options, headers, mapping, campaign_id,
  rows_processed, bytes_processed, counts, error, actor_label, created_at, started_at, finished_at`;

function toRecord(r: ImportRow): ImportRecord {
  const done = r.status === 'completed';
  return {
    id: r.id,
    fileName: r.file_name,
    fileSize: r.file_size,
    fileHash: r.file_hash,
    encoding: r.encoding,
    status: r.status,
    dryRun: r.dry_run,
    options: r.options,
    headers: r.headers,
    mapping: r.mapping,
    campaignId: r.campaign_id,
    rowsProcessed: r.rows_processed,
    bytesProcessed: r.bytes_processed,
    progress: done ? 1 : r.file_size > 0 ? Math.min(0.99, r.bytes_processed / r.file_size) : 0,
    counts: { ...emptyCounts(), ...r.counts },
    error: r.error,
    createdBy: r.actor_label,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function createImport(
  q: Queryable,
  actor: Actor,
  input: {
    fileName: string;
    fileSize: number;
    fileHash?: string | null;
    dryRun: boolean;
    options: ImportSettings;
  },
): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO imports (workspace_id, file_name, file_size, file_hash, dry_run, options, actor_type, actor_id, actor_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      actor.workspaceId,
      input.fileName,
      input.fileSize,
      input.fileHash ?? null,
      input.dryRun,
      JSON.stringify(input.options),
      actor.type,
      actor.id,
      actor.label,
    ],
  );
  return r.rows[0].id;
}

export async function getImport(q: Queryable, workspaceId: number, id: string): Promise<ImportRecord> {
  const r = await q.query<ImportRow>(`SELECT ${COLUMNS} FROM imports WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  if (!r.rows[0]) throw notFound('Import', id);
  return toRecord(r.rows[0]);
}

export async function listImports(
  q: Queryable,
  workspaceId: number,
  limit: number,
  cursor?: string,
): Promise<{ items: ImportRecord[]; nextCursor: string | null }> {
  const after = cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string]) : null;
  // imports_ws_created_idx
  const r = await q.query<ImportRow & { created_exact: string }>(
    `SELECT ${COLUMNS}, created_at::text AS created_exact FROM imports WHERE workspace_id = $1
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [workspaceId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const items = r.rows.slice(0, limit).map(toRecord);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      r.rows.length > limit
        ? Buffer.from(JSON.stringify([r.rows[limit - 1].created_exact, last.id])).toString('base64url')
        : null,
  };
}

/** Imports of a file with this content before, newest first (the preview warns about them). */
export async function earlierImportsOf(q: Queryable, workspaceId: number, fileHash: string) {
  const r = await q.query<{ id: string; created_at: Date; file_name: string }>(
    `SELECT id, created_at, file_name FROM imports
     WHERE workspace_id = $1 AND file_hash = $2 AND status = 'completed' AND NOT dry_run
     ORDER BY created_at DESC LIMIT 5`,
    [workspaceId, fileHash],
  );
  return r.rows.map((x) => ({ id: x.id, createdAt: x.created_at, fileName: x.file_name }));
}

export async function markStarted(
  q: Queryable,
  id: string,
  encoding: string,
  headers: string[],
  mapping: string[],
  campaignId: string | null,
) {
  await q.query(
    `UPDATE imports SET status = 'running', started_at = coalesce(started_at, now()), encoding = $2, headers = $3,
       mapping = $4, campaign_id = $5 WHERE id = $1`,
    [id, encoding, JSON.stringify(headers), JSON.stringify(mapping), campaignId],
  );
}

export async function saveProgress(
  q: Queryable,
  id: string,
  rowsProcessed: number,
  bytes: number,
  counts: ImportCounts,
) {
  await q.query('UPDATE imports SET rows_processed = $2, bytes_processed = $3, counts = $4 WHERE id = $1', [
    id,
    rowsProcessed,
    bytes,
    JSON.stringify(counts),
  ]);
}

export async function markFinished(
  q: Queryable,
  id: string,
  status: 'completed' | 'failed',
  error: string | null,
) {
  await q.query(
    `UPDATE imports SET status = $2, error = $3, finished_at = now(),
       bytes_processed = CASE WHEN $2 = 'completed' THEN file_size ELSE bytes_processed END WHERE id = $1`,
    [id, status, error],
  );
}

/** Stored issues per import; the counts stay exact beyond it. */
export const MAX_STORED_ISSUES = 10_000;

export async function saveIssues(
  q: Queryable,
  importId: string,
  issues: RowIssue[],
  alreadyStored: number,
): Promise<number> {
  const room = Math.max(0, MAX_STORED_ISSUES - alreadyStored);
  const batch = issues.slice(0, room);
  if (batch.length === 0) return 0;
  const seq = new Map<number, number>();
  const seqs = batch.map((i) => {
    const n = (seq.get(i.row) ?? 0) + 1;
    seq.set(i.row, n);
    return n;
  });
  await q.query(
    `INSERT INTO import_row_issues (import_id, row_number, seq, level, column_name, message, value)
     SELECT $1, * FROM unnest($2::bigint[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::text[])
     ON CONFLICT DO NOTHING`,
    [
      importId,
      batch.map((i) => i.row),
      seqs,
      batch.map((i) => i.level),
      batch.map((i) => i.column),
      batch.map((i) => i.message),
      batch.map((i) => i.value ?? null),
    ],
  );
  return batch.length;
}

export async function listIssues(
  q: Queryable,
  importId: string,
  limit: number,
  afterRow = 0,
): Promise<RowIssue[]> {
  const r = await q.query<{
    row_number: number;
    level: 'error' | 'warning';
    column_name: string;
    message: string;
    value: string | null;
  }>(
    `SELECT row_number, level, column_name, message, value FROM import_row_issues
     WHERE import_id = $1 AND row_number > $2 ORDER BY row_number, seq LIMIT $3`,
    [importId, afterRow, limit],
  );
  return r.rows.map((x) => ({
    row: x.row_number,
    level: x.level,
    column: x.column_name,
    message: x.message,
    ...(x.value !== null ? { value: x.value } : {}),
  }));
}
