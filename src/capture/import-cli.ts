import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { withContext } from '../cli/context.ts';
import { AppError } from '../platform/errors.ts';
import { UserFacingError } from '../runtime.ts';
import { systemActor } from '../team/audit.ts';
import { MEMBER_STATUSES, type MemberStatus } from './imports/campaign.ts';
import { type EncodingChoice, parseEncodingChoice, SNIFF_BYTES } from './imports/decode.ts';
import { hashStream, type ImportProgress, type ImportSummary, importCsv } from './imports/engine.ts';
import { parseMappingOption } from './imports/mapping.ts';
import { previewCsv } from './imports/preview.ts';
import { runRemoteImport } from './imports/remote.ts';

export interface ImportCommandOptions {
  encoding: string;
  campaign?: string;
  status?: string;
  mapping?: string;
  source?: string;
  channel?: string;
  dryRun?: boolean;
  dataDir?: string;
  server?: string;
  apiKey?: string;
}

/** `leadflow import FILE`: a progress bar on a TTY, a JSON summary on stdout when piped. */
export async function runImportCommand(file: string, opts: ImportCommandOptions): Promise<void> {
  const encoding = parseEncodingChoice(opts.encoding);
  if (!encoding) throw new UserFacingError(`--encoding must be auto, utf8 or sjis (got "${opts.encoding}")`);
  const status = (opts.status ?? 'attended') as MemberStatus;
  if (!MEMBER_STATUSES.includes(status)) {
    throw new UserFacingError(`--status must be one of ${MEMBER_STATUSES.join(', ')} (got "${opts.status}")`);
  }
  let mapping: Record<string, string> | undefined;
  try {
    mapping = opts.mapping ? parseMappingOption(opts.mapping) : undefined;
  } catch (err) {
    throw new UserFacingError(
      `--mapping: ${err instanceof AppError ? err.errors?.[0]?.message : String(err)}`,
    );
  }
  const path = resolve(file);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserFacingError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (!info.isFile()) throw new UserFacingError(`cannot read ${file}: not a file`);
  await checkFile(path, info.size, encoding, mapping);

  const tty = Boolean(process.stderr.isTTY) && Boolean(process.stdout.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | {rows} rows | {created} new, {updated} updated, {invalid} invalid | ETA {eta_formatted}',
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(info.size, 0, { rows: 0, created: 0, updated: 0, invalid: 0 });
  const onProgress = (p: ImportProgress) =>
    bar?.update(Math.min(p.bytes, info.size), {
      rows: p.rows,
      created: p.counts.created,
      updated: p.counts.updated,
      invalid: p.counts.invalid,
    });

  const options = {
    fileName: basename(path),
    fileSize: info.size,
    encoding,
    mapping,
    campaign: opts.campaign,
    campaignStatus: status,
    source: opts.source,
    channel: opts.channel,
    dryRun: opts.dryRun === true,
    onProgress,
  };
  let summary: ImportSummary;
  try {
    if (opts.server) {
      const apiKey = opts.apiKey ?? process.env.LEADFLOW_API_KEY;
      if (!apiKey) throw new UserFacingError('--server needs --api-key (or LEADFLOW_API_KEY)');
      summary = await runRemoteImport(opts.server, apiKey, path, options);
    } else {
      summary = await withLocalDb(opts.dataDir, async (ctx) => {
        const fileHash = await hashStream(createReadStream(path));
        return importCsv(ctx, createReadStream(path, { highWaterMark: 256 * 1024 }), {
          ...options,
          fileHash,
          actor: systemActor('cli import'),
        });
      });
    }
  } finally {
    bar?.stop();
  }
  if (tty) process.stdout.write(humanSummary(summary));
  else process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** A binary file or a file without an e-mail column is refused before the database is even opened. */
async function checkFile(
  path: string,
  size: number,
  encoding: EncodingChoice,
  mapping: Record<string, string> | undefined,
) {
  const fd = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    await fd.read(head, 0, head.length, 0);
    const preview = previewCsv(head, { encoding, mapping, partial: size > head.length, rows: 1 });
    if (!preview.hasEmailColumn) {
      const names = preview.headers.map((h) => `"${h}"`).join(', ');
      throw new UserFacingError(
        `no column is mapped to email (the columns are: ${names}); map one with --mapping "COLUMN=email"`,
      );
    }
  } finally {
    await fd.close();
  }
}

async function withLocalDb<T>(
  dataDir: string | undefined,
  fn: Parameters<typeof withContext<T>>[1],
): Promise<T> {
  try {
    return await withContext({ dataDir }, fn);
  } catch (err) {
    if (err instanceof UserFacingError && err.message.includes('in use by a running server')) {
      const port = /localhost:(\d+)/.exec(err.message)?.[1] ?? '3000';
      throw new UserFacingError(
        `${err.message.split(';')[0]}; import through it instead: leadflow import FILE --server http://localhost:${port} --api-key KEY (create a key in Settings or with leadflow api-keys create while it is stopped), or use the import page of the web UI`,
      );
    }
    throw err;
  }
}

function humanSummary(s: ImportSummary): string {
  const c = s.counts;
  const lines = [
    `${s.dryRun ? 'Dry run (nothing written)' : 'Imported'}: ${c.rows} rows in ${s.encoding}`,
    `  new ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, duplicates in file ${c.duplicates}, invalid ${c.invalid}, with warnings ${c.warnings}`,
  ];
  if (s.campaign)
    lines.push(
      `  campaign ${s.campaign.name}${s.campaign.created ? ' (new)' : ''}: ${c.campaignMembers} added as ${s.campaign.status}`,
    );
  for (const i of s.issues.slice(0, 20))
    lines.push(`  row ${i.row}${i.column ? ` [${i.column}]` : ''}: ${i.level}: ${i.message}`);
  if (s.issues.length > 20 || c.invalid + c.warnings > s.issues.length)
    lines.push(`  … all issues: GET /api/v1/imports/${s.importId}`);
  return `${lines.join('\n')}\n`;
}
