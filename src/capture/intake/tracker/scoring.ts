import { z } from 'zod';
import type { JobHandler } from '../../../platform/jobs/worker.ts';
import { markForRescore } from '../../../scoring/live.ts';

export const TRACKER_SCORING_QUEUE = 'capture.tracker-scoring';
const WATERMARK_KEY = 'capture.tracker_scored_id';

/**
 * Page views of identified visitors are written by the cheap collect endpoint without any
 * scoring; this periodic job hands the people who browsed since its last run to
 * `scoring.refresh`, in batches. The watermark (the last activity id seen) lives in settings
 * and moves in the same transaction as the enqueue, so a crash re-runs nothing twice.
 */
export const scoreTrackedVisitors: JobHandler = async (_payload, ctx) => {
  await ctx.db.transaction(async (tx) => {
    const wm = await tx.query<{ value: unknown }>(
      'SELECT value FROM settings WHERE workspace_id = 1 AND key = $1 FOR UPDATE',
      [WATERMARK_KEY],
    );
    const from = z
      .number()
      .int()
      .catch(0)
      .parse(wm.rows[0]?.value ?? 0);
    // The primary key range since the watermark; page views of identified visitors only.
    const r = await tx.query<{ workspace_id: number; person_ids: string[]; max_id: number }>(
      `SELECT workspace_id, array_agg(DISTINCT person_id) AS person_ids, max(id) AS max_id
       FROM activities
       WHERE id > $1 AND type = 'page_view' AND visitor_id IS NOT NULL AND person_id IS NOT NULL
       GROUP BY workspace_id`,
      [from],
    );
    if (r.rows.length === 0) return;
    for (const row of r.rows) {
      await markForRescore(tx, row.workspace_id, row.person_ids);
    }
    const to = Math.max(...r.rows.map((row) => row.max_id));
    await tx.query(
      `INSERT INTO settings (workspace_id, key, value) VALUES (1, $1, $2::jsonb)
       ON CONFLICT (workspace_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [WATERMARK_KEY, JSON.stringify(to)],
    );
  });
};
