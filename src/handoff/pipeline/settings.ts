import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';

/** The sales stages of an open opportunity, in pipeline order. */
export const SALES_STAGES = ['qualification', 'proposal', 'quote', 'negotiation'] as const;
export type SalesStage = (typeof SALES_STAGES)[number];

export const DEFAULT_LOSS_REASONS = [
  '価格',
  '競合',
  '予算なし',
  '時期尚早',
  '機能不足',
  '連絡途絶',
  'その他',
];

export const pipelineSettingsSchema = z
  .object({
    /** Days a person stays Lost before the recycle job returns them to nurturing. (Default: 90) */
    recycleLostAfterDays: z.number().int().min(0).max(3650),
    /** Loss reasons offered in the UI; any text is accepted through the API. */
    lossReasons: z.array(z.string().trim().min(1).max(100)).min(1).max(50),
  })
  .strict();

export type PipelineSettings = z.infer<typeof pipelineSettingsSchema>;

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  recycleLostAfterDays: 90,
  lossReasons: DEFAULT_LOSS_REASONS,
};

const KEY = 'pipeline';

export async function getPipelineSettings(q: Queryable, workspaceId: number): Promise<PipelineSettings> {
  const r = await q.query<{ value: Partial<PipelineSettings> }>(
    'SELECT value FROM settings WHERE workspace_id = $1 AND key = $2',
    [workspaceId, KEY],
  );
  return { ...DEFAULT_PIPELINE_SETTINGS, ...(r.rows[0]?.value ?? {}) };
}

export async function savePipelineSettings(
  q: Queryable,
  workspaceId: number,
  value: PipelineSettings,
): Promise<PipelineSettings> {
  await q.query(
    `INSERT INTO settings (workspace_id, key, value) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [workspaceId, KEY, JSON.stringify(value)],
  );
  return value;
}
