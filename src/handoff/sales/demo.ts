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
 * a weighted round robin), the rejection reasons and a 2-business-day SLA; the story's recent
 * MQLs get an owner and an SLA clock, some still inside it and at least one breached.
 */
export async function seedSalesDemo(ctx: SeedContext): Promise<void> {
  // Reps are the sales users who manage nobody; a sales manager takes no leads (weight 0) but gets escalations.
  const reps = await ctx.db.query<{ id: string; name: string; manages: boolean }>(
    `SELECT u.id, u.name, EXISTS (SELECT 1 FROM users r WHERE r.manager_id = u.id) AS manages
     FROM users u WHERE u.workspace_id = 1 AND u.role = 'sales' AND u.active ORDER BY u.email`,
  );
  const managers = reps.rows.filter((r) => r.manages).map((r) => r.id);
  const ids = reps.rows.filter((r) => !r.manages).map((r) => r.id);
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
        [
          [...ids, ...managers],
          [...ids.map((_, i) => (i === 0 ? 2 : 1)), ...managers.map(() => 0)],
        ],
      );
    }
  });
  if (ids.length === 0) {
    ctx.log.warn({}, 'handoff demo: no sales users, MQLs stay unassigned');
  }

  // The story's recent MQLs (three weeks) wait in the inbox; older ones predate the handoff process.
  const mqls = await ctx.db.query<{ id: string }>(
    `SELECT id FROM people WHERE workspace_id = 1 AND stage = 'mql' AND stage_changed_at > $1 ORDER BY stage_changed_at, id LIMIT 200`,
    [new Date(now.getTime() - 21 * 24 * HOUR)],
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
  // Whatever the story's dates, show both a live SLA clock and a breach.
  const open = await ctx.db.query<{ id: number; due_at: Date | null }>(
    `SELECT id, due_at FROM handoffs WHERE workspace_id = 1 AND status = 'awaiting' ORDER BY mql_at DESC, id`,
  );
  if (open.rows.length < 2) return;
  const live = open.rows.filter((h) => h.due_at && h.due_at > now);
  const retime: { id: number; at: Date }[] = [];
  if (live.length === 0) retime.push({ id: open.rows[0].id, at: new Date(now.getTime() - 3 * HOUR) });
  if (live.length === open.rows.length)
    retime.push({ id: open.rows[open.rows.length - 1].id, at: new Date(now.getTime() - 6 * 24 * HOUR) });
  if (retime.length === 0) return;
  await ctx.db.query(
    `UPDATE handoffs h SET mql_at = u.mql_at, due_at = u.due_at
     FROM unnest($1::int8[], $2::timestamptz[], $3::timestamptz[]) AS u(id, mql_at, due_at) WHERE h.id = u.id`,
    [retime.map((r) => r.id), retime.map((r) => r.at), retime.map((r) => slaDueAt(r.at, DEFAULT_SLA))],
  );
}
