import { loadConfig } from '../../platform/config.ts';
import type { SeedContext } from '../../platform/feature.ts';
import { systemActor } from '../../team/audit.ts';
import { assignPeople } from './assign.ts';
import { slaDueAt } from './business-days.ts';
import { DEFAULT_REJECTION_REASONS, DEFAULT_SLA, saveReasons, saveRules, saveSla } from './config.ts';
import type { AssignmentRule } from './rules.ts';

const HOUR = 3_600_000;

/**
 * The sales part of the demo: rules for the demo's sales reps (関西 and 製造業 territories, then
 * a weighted round robin), the rejection reasons and a 2-business-day SLA; every MQL of the
 * story gets an owner and an SLA clock, with the newest few waiting and at least one breached.
 */
export async function seedSalesDemo(ctx: SeedContext): Promise<void> {
  const reps = await ctx.db.query<{ id: string; name: string }>(
    `SELECT id, name FROM users WHERE workspace_id = 1 AND role = 'sales' AND active ORDER BY email`,
  );
  const ids = reps.rows.map((r) => r.id);
  const rules: AssignmentRule[] = [
    {
      id: 'account-owner',
      name: 'アカウント担当者 / Account owner',
      kind: 'account_owner',
      enabled: true,
      prefectures: [],
      regions: [],
      industries: [],
      userIds: [],
    },
  ];
  if (ids.length >= 2) {
    rules.push({
      id: 'kansai',
      name: '関西エリア / Kansai territory',
      kind: 'territory',
      enabled: true,
      prefectures: [],
      regions: ['関西'],
      industries: [],
      userIds: [ids[1]],
    });
  }
  if (ids.length >= 3) {
    rules.push({
      id: 'manufacturing',
      name: '製造業担当 / Manufacturing',
      kind: 'territory',
      enabled: true,
      prefectures: [],
      regions: [],
      industries: ['製造'],
      userIds: [ids[2]],
    });
  }
  rules.push({
    id: 'round-robin',
    name: 'ラウンドロビン（営業全員） / Round robin (all sales)',
    kind: 'round_robin',
    enabled: true,
    prefectures: [],
    regions: [],
    industries: [],
    userIds: [],
  });

  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await saveRules(tx, 1, rules);
    await saveReasons(tx, 1, DEFAULT_REJECTION_REASONS);
    await saveSla(tx, 1, DEFAULT_SLA);
    if (ids.length) {
      // The first rep is the senior one: twice the round-robin share.
      await tx.query(
        `INSERT INTO handoff_reps (workspace_id, user_id, weight) SELECT 1, u.id, u.w FROM unnest($1::uuid[], $2::int[]) AS u(id, w)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET weight = EXCLUDED.weight`,
        [ids, ids.map((_, i) => (i === 0 ? 2 : 1))],
      );
    }
  });
  if (ids.length === 0) {
    ctx.log.warn({}, 'handoff demo: no sales users, MQLs stay unassigned');
  }

  const mqls = await ctx.db.query<{ id: string }>(
    `SELECT id FROM people WHERE workspace_id = 1 AND stage = 'mql' ORDER BY stage_changed_at DESC, id LIMIT 500`,
  );
  if (mqls.rows.length === 0) return;
  const config = loadConfig(process.env);
  await ctx.db.transaction((tx) =>
    assignPeople(
      tx,
      { config },
      systemActor('demo'),
      mqls.rows.map((r) => r.id),
      { trigger: 'mql', keepExistingOwner: true, now },
    ),
  );
  // The story's MQLs may all be old: keep the newest few inside their SLA so the inbox shows a live
  // clock next to the breached ones (the SLA job escalates those when the server starts).
  const open = await ctx.db.query<{ id: number; due_at: Date | null }>(
    `SELECT id, due_at FROM handoffs WHERE workspace_id = 1 AND status = 'awaiting' ORDER BY mql_at DESC, id LIMIT 5`,
  );
  const live = open.rows.filter((h) => h.due_at && h.due_at > now).length;
  if (live > 0 || open.rows.length < 2) return;
  const refresh = open.rows.slice(0, Math.min(3, open.rows.length - 1));
  const starts = refresh.map((_, i) => new Date(now.getTime() - (3 + i * 5) * HOUR));
  await ctx.db.query(
    `UPDATE handoffs h SET mql_at = u.mql_at, due_at = u.due_at
     FROM unnest($1::int8[], $2::timestamptz[], $3::timestamptz[]) AS u(id, mql_at, due_at) WHERE h.id = u.id`,
    [refresh.map((h) => h.id), starts, starts.map((at) => slaDueAt(at, DEFAULT_SLA))],
  );
}
