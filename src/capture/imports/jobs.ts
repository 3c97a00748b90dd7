import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import type { JobHandler } from '../../platform/jobs/worker.ts';
import type { Actor } from '../../team/audit.ts';
import type { MemberStatus } from './campaign.ts';
import { importCsv } from './engine.ts';
import { emptyCounts, markFinished } from './store.ts';

export const IMPORT_QUEUE = 'imports.run';

/** The uploaded file, read back chunk by chunk (1 MB each) so that memory stays bounded. */
export async function* storedChunks(q: Queryable, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const r = await q.query<{ data: Uint8Array }>(
      'SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2',
      [importId, seq],
    );
    if (!r.rows[0]) return;
    const d = r.rows[0].data;
    yield Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
}

interface StoredImport {
  workspace_id: number;
  file_name: string;
  file_size: number;
  file_hash: string | null;
  status: string;
  dry_run: boolean;
  options: {
    encoding?: 'auto' | 'utf8' | 'sjis';
    mapping?: Record<string, string>;
    campaign?: string;
    campaignStatus?: MemberStatus;
    source?: string;
    channel?: string;
  };
  rows_processed: number;
  counts: Record<string, number>;
  actor_type: Actor['type'];
  actor_id: string | null;
  actor_label: string | null;
}

/**
 * Runs an uploaded import. At-least-once: after a crash the job runs again and resumes after
 * the last committed batch (its progress is written in the batch's own transaction). A file
 * the engine rejects (422) fails the import for good instead of retrying.
 */
export const runImportJob: JobHandler = async (payload, ctx) => {
  const { importId } = z.object({ importId: z.uuid() }).parse(payload);
  const r = await ctx.db.query<StoredImport>(
    `SELECT workspace_id, file_name, file_size, file_hash, status, dry_run, options, rows_processed, counts, actor_type, actor_id, actor_label
     FROM imports WHERE id = $1`,
    [importId],
  );
  const imp = r.rows[0];
  if (!imp || imp.status === 'completed' || imp.status === 'failed') return;
  const actor: Actor = {
    type: imp.actor_type,
    id: imp.actor_id,
    label: imp.actor_label ?? 'import',
    workspaceId: imp.workspace_id,
  };
  const o = imp.options;
  try {
    await importCsv(ctx, storedChunks(ctx.db, importId), {
      importId,
      actor,
      fileName: imp.file_name,
      fileSize: imp.file_size,
      fileHash: imp.file_hash ?? undefined,
      encoding: o.encoding,
      mapping: o.mapping,
      campaign: o.campaign,
      campaignStatus: o.campaignStatus,
      source: o.source,
      channel: o.channel,
      dryRun: imp.dry_run,
      resume:
        imp.status === 'running'
          ? { rowsProcessed: imp.rows_processed, counts: { ...emptyCounts(), ...imp.counts } }
          : undefined,
      keepRunningOnCrash: true,
      // A long import keeps its job lease, so that no other worker starts it again meanwhile.
      onProgress: () => {
        void ctx.db
          .query(`UPDATE jobs SET locked_until = now() + interval '5 minutes' WHERE id = $1`, [ctx.job.id])
          .catch(() => undefined);
      },
    });
  } catch (err) {
    if (err instanceof AppError) return; // recorded on the import as failed, with the reason
    if (ctx.job.attempts >= ctx.job.max_attempts) {
      await markFinished(
        ctx.db,
        importId,
        'failed',
        err instanceof Error ? err.message.slice(0, 1000) : String(err),
      );
    }
    throw err;
  }
  await ctx.db.query('DELETE FROM import_chunks WHERE import_id = $1', [importId]);
};
