import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Db } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { type Actor, recordAudit, systemActor } from '../../team/audit.ts';
import { type CampaignRef, MEMBER_STATUSES, type MemberStatus, resolveCampaign } from './campaign.ts';
import {
  type ByteSource,
  decoderStream,
  detectEncoding,
  type EncodingChoice,
  type FileEncoding,
  sniff,
} from './decode.ts';
import { type ColumnTarget, resolveMapping } from './mapping.ts';
import { type ImportRow, parseRow, type RowIssue } from './rows.ts';
import {
  createImport,
  emptyCounts,
  type ImportCounts,
  markFinished,
  markStarted,
  saveIssues,
  saveProgress,
} from './store.ts';
import { type BatchContext, planBatch, writeBatch } from './write-batch.ts';

export interface ImportOptions {
  /** Who imports; audit entries and transitions name them. (Default: the system actor "import") */
  actor?: Actor;
  /** Shown in the import history and on each import activity. (Default: "import.csv") */
  fileName?: string;
  /** For progress (bytes read / size). */
  fileSize?: number;
  /** SHA-256 of the file, when known (the preview warns about files imported before). */
  fileHash?: string;
  /** (Default: auto) */
  encoding?: EncodingChoice;
  /** Column (header or 1-based number) → field, overriding the suggested mapping. */
  mapping?: Record<string, string>;
  /** A campaign id or name; a new name creates the campaign. */
  campaign?: string;
  /** The membership status of every imported person in the campaign. (Default: attended) */
  campaignStatus?: MemberStatus;
  /** First-touch source of new people. (Default: the campaign name, else "csv_import") */
  source?: string;
  /** First-touch channel of new people. (Default: the campaign's channel, else business_card) */
  channel?: string;
  dryRun?: boolean;
  /** Rows merged per set-based round (and per transaction). (Default: 20,000) */
  batchSize?: number;
  /** An import record created beforehand (the API job); otherwise one is created. */
  importId?: string;
  /** Resume after a crash: rows up to this number were written already, with these counts. */
  resume?: { rowsProcessed: number; counts: ImportCounts };
  onProgress?: (p: ImportProgress) => void;
  /** A durable job retries after unexpected errors: leave the import running (resumable) unless the file itself is bad. */
  keepRunningOnCrash?: boolean;
}

export interface ImportProgress {
  bytes: number;
  fileSize: number | undefined;
  rows: number;
  counts: ImportCounts;
}

export interface ImportSummary {
  importId: string;
  status: 'completed';
  dryRun: boolean;
  encoding: FileEncoding;
  headers: string[];
  mapping: ColumnTarget[];
  campaign: { id: string | null; name: string; status: MemberStatus; created: boolean } | null;
  counts: ImportCounts;
  /** The first 100 row issues (all of them are stored with the import). */
  issues: RowIssue[];
}

/** The largest CSV record accepted; beyond it the file is broken (an unclosed quote swallowing the rest). */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;
const KEEP_ISSUES = 100;
/** Rows merged per round (one transaction with the import's progress) unless the caller says otherwise. */
const IMPORT_BATCH_ROWS = 20_000;

export const importProblem = (detail: string, path = 'file') =>
  new AppError(422, 'import-file', 'The file cannot be imported', detail, [{ path, message: detail }]);

/** A fast 52-bit hash of an e-mail, to count duplicates across a million rows in bounded memory. */
function emailHash(email: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < email.length; i++) {
    const c = email.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x100000 + ((h2 >>> 0) & 0xfffff);
}

/** Later non-empty values win over earlier ones for the same e-mail in one file. */
function foldRow(earlier: ImportRow, later: ImportRow): ImportRow {
  const person = { ...earlier.person };
  for (const [k, v] of Object.entries(later.person)) {
    if (v !== undefined && v !== null && v !== '' && k !== 'customFields')
      (person as Record<string, unknown>)[k] = v;
  }
  person.customFields = { ...earlier.person.customFields, ...later.person.customFields };
  return {
    ...later,
    person,
    occurredAt: later.occurredAt ?? earlier.occurredAt,
    fingerprint: `${earlier.fingerprint}\u0001${later.fingerprint}`,
  };
}

/** Bytes of an async source counted as they pass. */
async function* counting(
  source: AsyncIterable<Buffer>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/**
 * Imports people from a CSV byte stream (UTF-8, UTF-8 with BOM, Shift_JIS/CP932 or UTF-16,
 * detected from the first bytes). Streams in bounded memory; merges rows into people by
 * e-mail in set-based batches, one transaction per batch with the import's progress, so a
 * crash loses at most one batch and a resumed run repeats nothing. Invalid rows are reported
 * with their row number and never stop the others. Throws a 422 AppError before writing any
 * person for a binary file, an empty file, or a file without an e-mail column.
 */
export async function importCsv(
  ctx: { db: Db },
  input: ByteSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const actor = options.actor ?? systemActor('import');
  const dryRun = options.dryRun === true;
  const status = options.campaignStatus ?? 'attended';
  if (!MEMBER_STATUSES.includes(status))
    throw invalid('campaignStatus', `one of ${MEMBER_STATUSES.join(', ')}`);
  const importId =
    options.importId ??
    (await createImport(ctx.db, actor, {
      fileName: options.fileName ?? 'import.csv',
      fileSize: options.fileSize ?? 0,
      fileHash: options.fileHash,
      dryRun,
      options: {
        encoding: options.encoding ?? 'auto',
        mapping: options.mapping,
        campaign: options.campaign,
        campaignStatus: status,
        source: options.source,
        channel: options.channel,
      },
    }));
  try {
    const summary = await runImport(ctx.db, actor, importId, input, {
      ...options,
      campaignStatus: status,
      dryRun,
    });
    await ctx.db.transaction(async (tx) => {
      await markFinished(tx, importId, 'completed', null);
      if (!dryRun) {
        await recordAudit(tx, actor, {
          action: 'import.completed',
          entityType: 'import',
          entityId: importId,
          meta: {
            fileName: options.fileName ?? 'import.csv',
            counts: summary.counts,
            campaignId: summary.campaign?.id ?? null,
          },
        });
      }
    });
    return summary;
  } catch (err) {
    if (options.keepRunningOnCrash && !(err instanceof AppError)) throw err;
    const message =
      err instanceof AppError ? (err.detail ?? err.title) : err instanceof Error ? err.message : String(err);
    await markFinished(ctx.db, importId, 'failed', message.slice(0, 1000)).catch(() => undefined);
    throw err;
  }
}

async function runImport(
  db: Db,
  actor: Actor,
  importId: string,
  input: ByteSource,
  options: ImportOptions & { campaignStatus: MemberStatus; dryRun: boolean },
): Promise<ImportSummary> {
  const ws = actor.workspaceId;
  const { sample, chunks } = await sniff(input);
  if (sample.length === 0) throw importProblem('the file is empty');
  const encoding = detectEncoding(sample, options.encoding ?? 'auto');
  let bytes = 0;
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
    skip_empty_lines: false,
  });
  pipeline(
    Readable.from(counting(chunks, (n) => (bytes += n))),
    decoderStream(encoding),
    parser,
    () => undefined,
  );

  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await nextRecord(records, 0);
  const headers = (first ?? []).map((h) => h.trim());
  if (headers.every((h) => h === '')) throw importProblem('the file has no header row');
  const targets = resolveMapping(headers, options.mapping);
  if (!targets.includes('email')) {
    throw invalid(
      'mapping',
      `no column is mapped to email (the columns are: ${headers.map((h) => `"${h}"`).join(', ')}); map one with email, e.g. --mapping "${headers[0]}=email"`,
    );
  }

  let campaign: CampaignRef | null = null;
  let campaignCreated = false;
  if (options.campaign) {
    const found = await resolveCampaign(db, ws, options.campaign, { create: false });
    if (!found && !options.dryRun) {
      campaign = await resolveCampaign(db, ws, options.campaign, { create: true, channel: options.channel });
      campaignCreated = true;
    } else campaign = found;
    if (!campaign) campaignCreated = true;
  }
  await markStarted(db, importId, encoding, headers, targets, campaign?.id ?? null);

  const bc: BatchContext = {
    workspaceId: ws,
    actor,
    importId,
    fileName: options.fileName ?? 'import.csv',
    campaign: campaign ? { id: campaign.id, status: options.campaignStatus } : null,
    source: options.source ?? campaign?.name ?? options.campaign ?? 'csv_import',
    channel: options.channel ?? campaign?.channel ?? 'business_card',
    now: new Date(),
  };
  const counts = options.resume ? { ...options.resume.counts } : emptyCounts();
  const skipUpTo = options.resume?.rowsProcessed ?? 0;
  // Large rounds: the analytics triggers on stage_transitions scan funnel_entries a few times per
  // statement (≈1–2 s at 100K people on a loaded 2-core machine, whatever the round's size), which
  // 5,000-row rounds paid 20 times per 100K rows. A crash still loses at most one round.
  const batchSize = options.batchSize ?? IMPORT_BATCH_ROWS;
  const seen = new Set<number>();
  const kept: RowIssue[] = [];
  let storedIssues = 0;
  let batch = new Map<string, ImportRow>();
  let issues: RowIssue[] = [];
  let rowNumber = 1;
  let lastRow = 1;

  const report = (list: RowIssue[]) => {
    issues.push(...list);
    if (kept.length < KEEP_ISSUES) kept.push(...list.slice(0, KEEP_ISSUES - kept.length));
  };

  // What the committed rounds wrote; `counts` itself runs ahead with the rows read since.
  const written = {
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    campaignMembers: counts.campaignMembers,
  };
  const writeRound = async (
    rows: ImportRow[],
    pending: RowIssue[],
    upTo: number,
    read: number,
    parsed: ImportCounts,
  ) => {
    const done = { ...written };
    await db.transaction(async (tx) => {
      if (rows.length > 0) {
        if (options.dryRun) {
          const plan = await planBatch(tx, ws, rows, false);
          done.created += plan.fresh.length;
          done.updated += plan.updates.length;
          done.unchanged += plan.unchanged;
        } else {
          const r = await writeBatch(tx, bc, rows);
          done.created += r.created;
          done.updated += r.updated;
          done.unchanged += r.unchanged;
          done.campaignMembers += r.campaignMembers;
        }
      }
      storedIssues += await saveIssues(tx, importId, pending, storedIssues);
      await saveProgress(tx, importId, upTo, read, { ...parsed, ...done });
    });
    Object.assign(written, done);
    const committed = { ...parsed, ...done };
    options.onProgress?.({
      bytes: read,
      fileSize: options.fileSize,
      rows: committed.rows,
      counts: committed,
    });
  };

  // The next round is read and parsed while this one is written (one round in flight, written in
  // file order). Each round commits the progress as of its own last row with the counts of the rows
  // up to it, so a resumed import starts exactly after the last committed round.
  let writing: Promise<void> | undefined;
  const flush = async () => {
    const rows = [...batch.values()];
    const pending = issues;
    const upTo = lastRow - 1;
    const read = bytes;
    const parsed = { ...counts };
    batch = new Map();
    issues = [];
    await writing;
    writing = writeRound(rows, pending, upTo, read, parsed);
    // Awaited before the next round or at the end; this only keeps a failure from going unhandled meanwhile.
    writing.catch(() => undefined);
  };

  try {
    for (;;) {
      const record = await nextRecord(records, rowNumber);
      if (record === undefined) break;
      rowNumber++;
      if (record.length === 1 && record[0].trim() === '') continue;
      lastRow = rowNumber;
      if (rowNumber - 1 <= skipUpTo) continue;
      counts.rows++;
      const result = parseRow(rowNumber, record, headers, targets);
      if (!result.ok) {
        counts.invalid++;
        report(result.issues);
      } else {
        if (result.warnings.length > 0) {
          counts.warnings++;
          report(result.warnings);
        }
        const row = result.value;
        const h = emailHash(row.email);
        if (seen.has(h)) counts.duplicates++;
        else seen.add(h);
        const earlier = batch.get(row.email);
        batch.set(row.email, earlier ? foldRow(earlier, row) : row);
      }
      if (batch.size >= batchSize || issues.length >= batchSize) await flush();
    }
    await flush();
    await writing;
  } catch (err) {
    // A bad record after some rounds: the round in flight finishes (or fails) before the import is marked.
    await writing?.catch(() => undefined);
    throw err;
  }
  Object.assign(counts, written);
  return {
    importId,
    status: 'completed',
    dryRun: options.dryRun,
    encoding,
    headers,
    mapping: targets,
    campaign: options.campaign
      ? {
          id: campaign?.id ?? null,
          name: campaign?.name ?? options.campaign,
          status: options.campaignStatus,
          created: campaignCreated,
        }
      : null,
    counts,
    issues: kept,
  };
}

/** The next CSV record; a parse error (an unclosed quote, a record over 32 MB) names the row and stops the import. */
async function nextRecord(records: AsyncIterator<string[]>, lastRow: number): Promise<string[] | undefined> {
  try {
    const next = await records.next();
    return next.done ? undefined : next.value;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const reason =
      e.code === 'CSV_MAX_RECORD_SIZE'
        ? 'a record is larger than 32 MB (an unclosed quote?)'
        : e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted value is never closed'
          : (e.message ?? String(err));
    throw importProblem(`row ${lastRow + 1}: ${reason}; rows before it were imported`);
  }
}

/** SHA-256 of a byte stream, for the import history. */
export async function hashStream(source: AsyncIterable<Buffer>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of source) h.update(c);
  return h.digest('hex');
}
