import type { Queryable } from '../platform/db/client.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';
import { dimensionSql, periodBoundsSql } from './funnel.ts';
import type { Breakdown, WaterfallStage } from './model.ts';
import type { Period } from './period.ts';

export interface EntryPerson {
  id: string;
  email: string;
  name: string;
  company: string | null;
  stage: string;
  ownerName: string | null;
  channel: string | null;
  enteredAt: Date;
  nextStage: string | null;
  nextAt: Date | null;
  days: number | null;
}

export interface DrilldownFilter {
  stage: WaterfallStage;
  period: Period;
  by?: Breakdown;
  /** The breakdown value; null selects people without one. */
  value?: string | null;
  /** converted: reached the next stage; open: not (yet). */
  outcome?: 'converted' | 'open';
  limit: number;
  cursor?: string;
}

/**
 * The people behind one number of the funnel: the entries into `stage` in the period (optionally of
 * one breakdown value, converted or not), newest first. Same definitions as funnelReport.
 */
export async function funnelPeople(
  q: Queryable,
  ws: number,
  f: DrilldownFilter,
): Promise<{ items: EntryPerson[]; nextCursor: string | null }> {
  const { lo, hi } = periodBoundsSql(2, 3);
  const params: unknown[] = [ws, f.period.from, f.period.to, f.stage];
  const where = ['f.workspace_id = $1', `f.entered_at >= ${lo}`, `f.entered_at < ${hi}`, 'f.stage = $4'];
  if (f.by && f.value !== undefined) {
    if (f.value === null) where.push(`${dimensionSql(f.by)} IS NULL`);
    else {
      params.push(f.value);
      where.push(`${dimensionSql(f.by)} = $${params.length}`);
    }
  }
  if (f.outcome === 'converted') where.push('f.next_at IS NOT NULL');
  if (f.outcome === 'open') where.push('f.next_at IS NULL');
  const cursor = decodeCursor(f.cursor, 2);
  if (cursor) {
    params.push(cursor[0], cursor[1]);
    where.push(
      `(f.entered_at, f.transition_id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`,
    );
  }
  params.push(f.limit + 1);
  const r = await q.query<{
    id: string;
    email: string;
    last_name: string | null;
    first_name: string | null;
    company: string | null;
    stage: string;
    owner_name: string | null;
    channel: string | null;
    entered_at: Date;
    next_stage: string | null;
    next_at: Date | null;
    transition_id: number;
  }>(
    `SELECT p.id, p.email, p.last_name, p.first_name, p.company, p.stage, u.name AS owner_name, p.channel,
            f.entered_at, f.next_stage, f.next_at, f.transition_id
     FROM funnel_entries f JOIN people p ON p.id = f.person_id LEFT JOIN users u ON u.id = p.owner_id
     WHERE ${where.join(' AND ')}
     ORDER BY f.entered_at DESC, f.transition_id DESC LIMIT $${params.length}`,
    params,
  );
  const rows = r.rows.slice(0, f.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map((x) => ({
      id: x.id,
      email: x.email,
      name: [x.last_name, x.first_name].filter(Boolean).join(' ') || x.email,
      company: x.company,
      stage: x.stage,
      ownerName: x.owner_name,
      channel: x.channel,
      enteredAt: x.entered_at,
      nextStage: x.next_stage,
      nextAt: x.next_at,
      days: x.next_at
        ? Math.round(((x.next_at.getTime() - x.entered_at.getTime()) / 86_400_000) * 10) / 10
        : null,
    })),
    nextCursor:
      r.rows.length > f.limit && last
        ? encodeCursor([last.entered_at.toISOString(), last.transition_id])
        : null,
  };
}
