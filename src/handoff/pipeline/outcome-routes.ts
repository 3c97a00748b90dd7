import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { actorOf, principalOf } from '../../team/auth.ts';
import { applyOutcomes, listOutcomeImports, MAX_OUTCOME_ROWS, parseOutcomeCsv } from './outcomes.ts';

const outcomeItem = z
  .object({
    email: z.string().max(254).nullable().optional(),
    externalId: z.string().trim().max(200).nullable().optional(),
    status: z.string().max(50).describe('won or lost (also Closed Won / Closed Lost / 受注 / 失注)'),
    amount: z.number().int().min(0).max(1e15).nullable().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .nullable()
      .optional(),
    lossReason: z.string().max(500).nullable().optional(),
    closedAt: z.string().max(40).nullable().optional().describe('YYYY-MM-DD (JST) or an ISO timestamp'),
    name: z.string().max(200).nullable().optional(),
  })
  .strict();

const batchBody = z.object({ items: z.array(outcomeItem).min(1).max(MAX_OUTCOME_ROWS) }).strict();

export async function outcomeRoutes(app: App, ctx: AppContext) {
  app.post(
    '/api/v1/opportunities/outcomes',
    {
      config: { permission: 'opportunities:import' },
      schema: {
        tags: ['opportunities'],
        summary:
          'Import closed-won / closed-lost outcomes from an SFA, matched by opportunity externalId or e-mail; ' +
          'answers counts and the rows (from 1) that matched nothing or could not be applied',
        body: batchBody,
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const rows = request.body.items.map((item, i) => ({ ...item, row: i + 1 }));
      return ctx.db.transaction((tx) => applyOutcomes(tx, actor, rows, { source: 'api' }));
    },
  );

  app.post(
    '/api/v1/opportunities/outcomes/import',
    {
      config: { permission: 'opportunities:import' },
      schema: {
        tags: ['opportunities'],
        summary:
          'The same from a CSV file (multipart field `file`; UTF-8 or Shift_JIS). Columns: email, externalId, status, amount, ' +
          'lossReason, closedAt, name (or メールアドレス, 商談ID, 結果, 金額, 失注理由, 完了日, 商談名). Row numbers count the header as 1',
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) {
        throw new AppError(
          415,
          'validation',
          'Unsupported media type',
          'Send the CSV as multipart/form-data in the field `file`',
          [{ path: 'file', message: 'multipart/form-data with a file is required' }],
        );
      }
      const file = await request.file({ limits: { fileSize: 20 * 1024 * 1024 } });
      if (!file)
        throw new AppError(422, 'validation', 'Invalid request', 'file: missing', [
          { path: 'file', message: 'a CSV file is required' },
        ]);
      const buf = await file.toBuffer();
      const rows = parseOutcomeCsv(buf);
      return ctx.db.transaction((tx) =>
        applyOutcomes(tx, actor, rows, { source: 'csv', filename: file.filename }),
      );
    },
  );

  app.get(
    '/api/v1/opportunities/outcomes/imports',
    {
      config: { permission: 'opportunities:read' },
      schema: {
        tags: ['opportunities'],
        summary: 'The last 50 outcome imports with their counts and problem rows',
      },
    },
    async (request) => ({
      items: await listOutcomeImports(ctx.db, principalOf(request).workspaceId),
      nextCursor: null,
    }),
  );
}
