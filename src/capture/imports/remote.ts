import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { UserFacingError } from '../../runtime.ts';
import type { FileEncoding } from './decode.ts';
import type { ImportOptions, ImportSummary } from './engine.ts';
import type { ColumnTarget } from './mapping.ts';
import type { RowIssue } from './rows.ts';
import type { ImportRecord } from './store.ts';

type RemoteRecord = ImportRecord & { issues: RowIssue[]; campaign: { id: string; name: string } | null };

/**
 * `leadflow import FILE --server URL --api-key KEY`: uploads the file to a running server
 * (which holds the embedded database) and follows the import job until it ends.
 */
export async function runRemoteImport(
  server: string,
  apiKey: string,
  path: string,
  o: ImportOptions,
): Promise<ImportSummary> {
  const base = server.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
  const form = new FormData();
  form.set('encoding', o.encoding ?? 'auto');
  if (o.mapping) form.set('mapping', JSON.stringify(o.mapping));
  if (o.dryRun) form.set('dryRun', 'true');
  if (o.campaign) form.set('campaign', o.campaign);
  if (o.campaignStatus) form.set('campaignStatus', o.campaignStatus);
  if (o.source) form.set('source', o.source);
  if (o.channel) form.set('channel', o.channel);
  form.set('file', await openAsBlob(path), basename(path));
  const started = await call<RemoteRecord>(`${base}/api/v1/imports`, { method: 'POST', headers, body: form });
  for (;;) {
    const r = await call<RemoteRecord>(`${base}/api/v1/imports/${started.id}?issuesLimit=100`, { headers });
    o.onProgress?.({ bytes: r.bytesProcessed, fileSize: r.fileSize, rows: r.counts.rows, counts: r.counts });
    if (r.status === 'failed') throw new UserFacingError(`import failed: ${r.error ?? 'unknown reason'}`);
    if (r.status === 'completed') {
      return {
        importId: r.id,
        status: 'completed',
        dryRun: r.dryRun,
        encoding: r.encoding as FileEncoding,
        headers: r.headers ?? [],
        mapping: (r.mapping ?? []) as ColumnTarget[],
        campaign: r.options.campaign
          ? {
              id: r.campaign?.id ?? null,
              name: r.campaign?.name ?? r.options.campaign,
              status: (r.options.campaignStatus ?? 'attended') as 'attended',
              created: false,
            }
          : null,
        counts: r.counts,
        issues: r.issues,
      };
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new UserFacingError(
      `cannot reach ${new URL(url).origin}: ${(err as Error).cause ?? (err as Error).message}`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as T & { detail?: string; title?: string };
  if (!res.ok)
    throw new UserFacingError(
      `the server answered ${res.status}: ${body.detail ?? body.title ?? res.statusText}`,
    );
  return body;
}
