import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import { stringify } from 'csv-stringify/sync';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, invalid } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { MEMBER_STATUSES, type MemberStatus } from './campaign.ts';
import { ENCODING_CHOICES, type EncodingChoice, parseEncodingChoice, SNIFF_BYTES } from './decode.ts';
import { IMPORT_QUEUE } from './jobs.ts';
import { previewCsv } from './preview.ts';
import {
  createImport,
  earlierImportsOf,
  getImport,
  type ImportSettings,
  listImports,
  listIssues,
  MAX_STORED_ISSUES,
} from './store.ts';

const CHUNK = 1024 * 1024;
const idParams = z.object({ id: z.uuid() });

interface UploadFields {
  encoding: EncodingChoice;
  mapping?: Record<string, string>;
  dryRun: boolean;
  campaign?: string;
  campaignStatus: MemberStatus;
  source?: string;
  channel?: string;
  partial: boolean;
}

function parseFields(raw: Record<string, string>): UploadFields {
  const encoding = parseEncodingChoice(raw.encoding);
  if (!encoding) throw invalid('encoding', `one of ${ENCODING_CHOICES.join(', ')}`);
  let mapping: Record<string, string> | undefined;
  if (raw.mapping) {
    try {
      mapping = z.record(z.string().max(500), z.string().max(100)).parse(JSON.parse(raw.mapping));
    } catch {
      throw invalid('mapping', 'a JSON object of column → field, e.g. {"メール":"email"}');
    }
  }
  const status = (raw.campaignStatus || 'attended') as MemberStatus;
  if (!MEMBER_STATUSES.includes(status))
    throw invalid('campaignStatus', `one of ${MEMBER_STATUSES.join(', ')}`);
  const text = (key: string, max: number) => {
    const v = raw[key]?.trim();
    if (v && v.length > max) throw invalid(key, `at most ${max} characters`);
    return v || undefined;
  };
  return {
    encoding,
    mapping,
    dryRun: ['true', '1', 'on', 'yes'].includes((raw.dryRun ?? '').toLowerCase()),
    campaign: text('campaign', 200),
    campaignStatus: status,
    source: text('source', 200),
    channel: text('channel', 100),
    partial: ['true', '1'].includes((raw.partial ?? '').toLowerCase()),
  };
}

/** Reads the multipart form: the text fields and, through `onFile`, the one file part. */
async function readMultipart(
  request: FastifyRequest,
  onFile: (file: MultipartFile, fields: Record<string, string>) => Promise<void>,
) {
  if (!request.isMultipart())
    throw new AppError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send multipart/form-data with a "file" part',
    );
  const fields: Record<string, string> = {};
  let seen = false;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (seen || part.fieldname !== 'file') {
        part.file.resume();
        continue;
      }
      seen = true;
      await onFile(part, fields);
    } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
  }
  if (!seen) throw invalid('file', 'a CSV file is required (multipart part "file")');
  return fields;
}

const multipartBody = {
  consumes: ['multipart/form-data'],
  description:
    'multipart/form-data with a `file` part (CSV: UTF-8, UTF-8 with BOM or Shift_JIS/CP932) and optional text parts ' +
    '`encoding` (auto|utf8|sjis), `mapping` (JSON object column → field), `dryRun` (true|false), `campaign` (id or name), ' +
    '`campaignStatus` (member|invited|registered|attended|no_show), `source`, `channel`. Text parts must come before the file.',
};

export async function importRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/imports/preview',
    {
      config: { permission: 'imports:write' },
      schema: {
        tags: ['imports'],
        summary: 'Read the start of a CSV: encoding, headers, suggested mapping and the first rows',
        ...multipartBody,
      },
    },
    async (request) => {
      let sample = Buffer.alloc(0);
      const fields = await readMultipart(request, async (part) => {
        const parts: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file) {
          if (size < SNIFF_BYTES) {
            parts.push(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
        }
        sample = Buffer.concat(parts).subarray(0, SNIFF_BYTES);
        if (size > SNIFF_BYTES) (request as FastifyRequest & { cut?: boolean }).cut = true;
      });
      const f = parseFields(fields);
      const cut = (request as FastifyRequest & { cut?: boolean }).cut === true;
      return previewCsv(sample, { encoding: f.encoding, mapping: f.mapping, partial: f.partial || cut });
    },
  );

  app.post(
    '/api/v1/imports',
    {
      config: { permission: 'imports:write' },
      schema: {
        tags: ['imports'],
        summary:
          'Upload a CSV and start its import as a durable job (202); poll GET /api/v1/imports/{id} for progress',
        ...multipartBody,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      let importId: string | undefined;
      let settings: UploadFields | undefined;
      try {
        await readMultipart(request, async (part, raw) => {
          settings = parseFields(raw);
          const options: ImportSettings = {
            encoding: settings.encoding,
            mapping: settings.mapping,
            campaign: settings.campaign,
            campaignStatus: settings.campaignStatus,
            source: settings.source,
            channel: settings.channel,
          };
          const id = await createImport(ctx.db, actor, {
            fileName: safeName(part.filename),
            fileSize: 0,
            dryRun: settings.dryRun,
            options,
          });
          importId = id;
          const hash = createHash('sha256');
          let pending: Buffer[] = [];
          let pendingSize = 0;
          let seq = 0;
          let size = 0;
          let head: Buffer | undefined;
          const store = async () => {
            const data = Buffer.concat(pending);
            pending = [];
            pendingSize = 0;
            if (!head) {
              head = data.subarray(0, SNIFF_BYTES);
              // Reject a binary file or a file without an e-mail column before storing the rest.
              const preview = previewCsv(head, {
                encoding: options.encoding,
                mapping: options.mapping,
                partial: true,
                rows: 1,
              });
              if (!preview.hasEmailColumn) {
                const names = preview.headers.map((h) => `"${h}"`).join(', ');
                throw invalid('mapping', `no column is mapped to email (the columns are: ${names})`);
              }
            }
            await ctx.db.query('INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)', [
              id,
              seq++,
              data,
            ]);
          };
          for await (const chunk of part.file) {
            const buf = chunk as Buffer;
            hash.update(buf);
            size += buf.length;
            pending.push(buf);
            pendingSize += buf.length;
            if (pendingSize >= CHUNK) await store();
          }
          if (part.file.truncated)
            throw new AppError(
              413,
              'body-too-large',
              'File too large',
              'The file exceeds the 512 MB upload limit',
            );
          if (pendingSize > 0 || seq === 0) await store();
          await ctx.db.query('UPDATE imports SET file_size = $2, file_hash = $3 WHERE id = $1', [
            id,
            size,
            hash.digest('hex'),
          ]);
        });
        await enqueue(
          ctx.db,
          IMPORT_QUEUE,
          { importId },
          { key: `${IMPORT_QUEUE}:${importId}`, maxAttempts: 5 },
        );
      } catch (err) {
        // Nothing half-written: a rejected upload leaves no import behind.
        if (importId) await ctx.db.query('DELETE FROM imports WHERE id = $1', [importId]);
        throw err;
      }
      const record = await getImport(ctx.db, actor.workspaceId, importId as string);
      return reply.code(202).header('location', `/api/v1/imports/${importId}`).send(record);
    },
  );

  app.get(
    '/api/v1/imports',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: 'Imports, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(20),
          cursor: z.string().max(500).optional(),
        }),
      },
    },
    async (request) =>
      listImports(ctx.db, principalOf(request).workspaceId, request.query.limit, request.query.cursor),
  );

  app.get(
    '/api/v1/imports/:id',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: 'An import: status, progress, counts and its row issues (row number, column, reason)',
        params: idParams,
        querystring: z.object({
          issuesLimit: z.coerce.number().int().min(0).max(1000).default(200),
          issuesAfterRow: z.coerce.number().int().min(0).default(0),
        }),
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      const record = await getImport(ctx.db, ws, request.params.id);
      const issues = await listIssues(
        ctx.db,
        record.id,
        request.query.issuesLimit,
        request.query.issuesAfterRow,
      );
      const earlier = record.fileHash
        ? (await earlierImportsOf(ctx.db, ws, record.fileHash)).filter((x) => x.id !== record.id)
        : [];
      const campaign = record.campaignId
        ? ((
            await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM campaigns WHERE id = $1', [
              record.campaignId,
            ])
          ).rows[0] ?? null)
        : null;
      return { ...record, campaign, issues, earlierImports: earlier };
    },
  );

  app.get(
    '/api/v1/imports/:id/issues.csv',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: "The import's row issues as CSV (UTF-8 with BOM, formulas neutralised) to fix in Excel",
        params: idParams,
      },
    },
    async (request, reply) => {
      const record = await getImport(ctx.db, principalOf(request).workspaceId, request.params.id);
      const issues = await listIssues(ctx.db, record.id, MAX_STORED_ISSUES, 0);
      const rows = [
        ['row', 'level', 'column', 'message', 'value'],
        ...issues.map((i) => [String(i.row), i.level, i.column, i.message, i.value ?? '']),
      ];
      const csv = stringify(rows.map((r) => r.map(neutraliseFormula)));
      const name = `${record.fileName.replace(/\.csv$/i, '')}-issues.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="issues.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
        )
        .send(`\uFEFF${csv}`);
    },
  );
}

/** A cell safe to open in Excel: a leading =, +, -, @, tab or CR makes it a formula, so it is prefixed with '. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A file name as shown in the history: the base name, printable, at most 200 characters. */
function safeName(name: string | undefined): string {
  const base = (name ?? 'upload.csv').split(/[\\/]/).pop() ?? 'upload.csv';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200) || 'upload.csv';
}
