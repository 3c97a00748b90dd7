import { FEATURES } from '../features.ts';
import type { AppContext } from '../platform/http/context.ts';
import { hashPassword } from '../team/users.ts';
import { seededRandom } from './random.ts';
import { seedStory } from './story.ts';

export const DEMO_ADMIN_EMAIL = 'admin@demo.leadflow.jp';
export const DEMO_ADMIN_PASSWORD = 'leadflow-demo';
export const DEMO_PASSWORD = 'leadflow-demo';

export interface SeedResult {
  adminEmail: string;
  adminPassword: string;
  people: number;
  accounts: number;
  activities: number;
}

/**
 * Loads the deterministic demo story: the team, then the foundation's companies, people,
 * campaigns, activities, stage histories and deals, then each feature's part (forms, scoring
 * rules, scenarios, targets…). Returns undefined when onlyIfEmpty and people exist.
 */
export async function seedDemo(ctx: AppContext, opts: { onlyIfEmpty: boolean }): Promise<SeedResult | undefined> {
  const existing = await ctx.db.query<{ n: number }>('SELECT count(*) AS n FROM people WHERE workspace_id = 1');
  if (opts.onlyIfEmpty && existing.rows[0].n > 0) return undefined;
  const random = seededRandom(20261123);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await seedStory({ db: ctx.db, clock: ctx.clock, log: ctx.log, random }, passwordHash);
  for (const feature of FEATURES) {
    if (feature.seedDemo) await feature.seedDemo({ db: ctx.db, clock: ctx.clock, log: ctx.log, random });
  }
  const counts = await ctx.db.query<{ people: number; accounts: number; activities: number }>(
    `SELECT (SELECT count(*) FROM people WHERE workspace_id = 1) AS people,
            (SELECT count(*) FROM accounts WHERE workspace_id = 1) AS accounts,
            (SELECT count(*) FROM activities WHERE workspace_id = 1) AS activities`,
  );
  return { adminEmail: DEMO_ADMIN_EMAIL, adminPassword: DEMO_ADMIN_PASSWORD, ...counts.rows[0] };
}
