import type { SeedContext } from '../../platform/feature.ts';
import { newSecret } from './webhooks/subscriptions.ts';

/**
 * The pipeline's part of the demo: spreads the story's open deals over the sales stages
 * (set-based, in a stable order) and adds a sample webhook subscription, disabled, pointing at
 * an address that can never resolve.
 */
export async function seedPipelineDemo(ctx: SeedContext): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE opportunities o SET stage = s.stage, updated_at = now()
       FROM (SELECT id, (ARRAY['qualification', 'proposal', 'quote', 'negotiation'])[1 + ((row_number() OVER (ORDER BY created_at, name, id)) % 4)::int] AS stage
             FROM opportunities WHERE workspace_id = 1 AND status = 'open') s
       WHERE o.id = s.id AND o.stage = 'qualification'`,
    );
    await tx.query(
      `INSERT INTO webhook_subscriptions (workspace_id, url, events, secret, description, enabled, created_by)
       SELECT 1, 'https://example.invalid/hook', $1, $2, $3, false, 'demo'
       WHERE NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE workspace_id = 1 AND url = 'https://example.invalid/hook')`,
      [
        ['person.stage_changed', 'person.assigned', 'opportunity.created', 'opportunity.closed'],
        newSecret(),
        'SFA連携のサンプル（無効） / Sample SFA endpoint (disabled)',
      ],
    );
  });
}
