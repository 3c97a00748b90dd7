import { emitEvent } from '../../platform/events.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { loadSla } from './config.ts';
import { dueAtFor } from './assign.ts';
import { mailEscalation, type Recipient } from './notify.ts';
import { buildHandoffPackage } from './package.ts';
import type { Queryable } from '../../platform/db/client.ts';

export const SLA_QUEUE = 'handoff.sla';

/**
 * Marks every awaiting handoff past its due time as breached and escalates it: a
 * `handoff.sla_breached` event and a mail to the owner's manager (or every active admin when
 * the owner has none or nobody owns it). The mark, the event and the mails are written in one
 * transaction, so a handoff escalates exactly once however often the job runs.
 */
export async function escalateBreaches(
  ctx: Pick<AppContext, 'db' | 'config'>,
  now: Date,
  batch = 200,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction(async (tx) => {
      // handoffs_due_idx
      const due = await tx.query<{
        id: number;
        workspace_id: number;
        person_id: string;
        owner_id: string | null;
        owner_name: string | null;
        manager_id: string | null;
        due_at: Date;
      }>(
        `SELECT h.id, h.workspace_id, h.person_id, h.owner_id, o.name AS owner_name, o.manager_id, h.due_at
         FROM handoffs h LEFT JOIN users o ON o.id = h.owner_id
         WHERE h.status = 'awaiting' AND h.breached_at IS NULL AND h.due_at <= $1
         ORDER BY h.due_at, h.id LIMIT $2 FOR UPDATE OF h SKIP LOCKED`,
        [now, batch],
      );
      if (due.rows.length === 0) return 0;
      await tx.query('UPDATE handoffs SET breached_at = $2, escalated_at = $2 WHERE id = ANY($1::int8[])', [
        due.rows.map((r) => r.id),
        now,
      ]);
      const managers = await tx.query<Recipient & { workspace_id: number; role: string; active: boolean }>(
        `SELECT id, workspace_id, email, name, locale, role, active FROM users
         WHERE active AND (role = 'admin' OR id = ANY($1::uuid[]))`,
        [due.rows.map((r) => r.manager_id).filter(Boolean)],
      );
      for (const h of due.rows) {
        const manager = managers.rows.find((m) => m.id === h.manager_id && m.workspace_id === h.workspace_id);
        const to = manager
          ? [manager]
          : managers.rows.filter((m) => m.role === 'admin' && m.workspace_id === h.workspace_id);
        const pkg = await buildHandoffPackage(tx, h.workspace_id, h.person_id, now);
        await emitEvent(
          tx,
          h.workspace_id,
          'handoff.sla_breached',
          {
            personId: h.person_id,
            handoffId: h.id,
            ownerId: h.owner_id,
            dueAt: h.due_at,
            escalatedTo: to.map((m) => m.id),
          },
          h.person_id,
        );
        for (const m of to) await mailEscalation(tx, ctx, h.workspace_id, h.id, m, h.owner_name, pkg);
      }
      return due.rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}

/** Recomputes the due time of every awaiting handoff after the SLA settings changed (a breach already escalated stays escalated). */
export async function recomputeDueTimes(q: Queryable, workspaceId: number): Promise<number> {
  const sla = await loadSla(q, workspaceId);
  const open = await q.query<{ id: number; mql_at: Date }>(
    `SELECT id, mql_at FROM handoffs WHERE workspace_id = $1 AND status = 'awaiting'`,
    [workspaceId],
  );
  if (open.rows.length === 0) return 0;
  await q.query(
    `UPDATE handoffs h SET due_at = u.due_at FROM unnest($1::int8[], $2::timestamptz[]) AS u(id, due_at) WHERE h.id = u.id`,
    [open.rows.map((r) => r.id), open.rows.map((r) => dueAtFor(r.mql_at, sla))],
  );
  return open.rows.length;
}
