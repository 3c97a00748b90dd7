import type { Feature } from '../platform/feature.ts';
import { systemActor } from '../team/audit.ts';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import { DAILY_QUEUE, REFRESH_QUEUE, scoringJobs } from './jobs.ts';
import { processRun } from './rescore.ts';
import { scoringRoutes } from './routes.ts';
import { saveRuleSet } from './store.ts';

/**
 * Scoring and qualification: versioned two-axis rule sets (fit grade and engagement points),
 * live and retroactive set-based rescoring, explanations, automatic MQL, backtests.
 */
export const scoring: Feature = {
  name: 'scoring',
  routes: [scoringRoutes],
  jobs: scoringJobs,
  periodic: [
    { queue: DAILY_QUEUE, everySeconds: 86_400 },
    // The safety net of live scoring: a mark that slipped past a running drain waits at most this long.
    { queue: REFRESH_QUEUE, everySeconds: 10 },
  ],
  async seedDemo(ctx) {
    const { runId } = await ctx.db.transaction((tx) =>
      saveRuleSet(tx, systemActor('demo'), structuredClone(DEFAULT_RULE_SET), {
        comment: '初期ルールセット（デモ） / Default rule set (demo)',
        now: ctx.clock.now(),
      }),
    );
    if (runId) await processRun(ctx.db, ctx.log, runId);
  },
};
