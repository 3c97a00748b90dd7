import { z } from 'zod';
import { STAGES } from '../lifecycle/stages.ts';
import { stageSchema } from '../people/schemas.ts';
import { PERSON_COLUMNS, type PersonRow, toPerson } from '../people/person.ts';
import type { Queryable } from '../platform/db/client.ts';
import { invalid } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { decodeCursor, pageQuery, toPage } from '../platform/http/pagination.ts';
import { principalOf } from '../team/auth.ts';

const DEFAULT_TZ = 'Asia/Tokyo';

const tzSchema = z
  .string()
  .max(64)
  .default(DEFAULT_TZ)
  .describe('IANA time zone the months are cut in (default Asia/Tokyo)');

/** A time zone both Node and PostgreSQL know; anything else is a 422 naming `tz`. */
function checkTimeZone(tz: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) throw invalid('tz', 'not an IANA time zone');
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw invalid('tz', 'not an IANA time zone');
  }
  return tz;
}

export interface MonthWindow {
  from: string;
  to: string;
}

export interface DashboardSummary {
  timeZone: string;
  thisMonth: MonthWindow;
  lastMonth: MonthWindow;
  totals: { people: number; createdThisMonth: number; createdLastMonth: number };
  stages: { stage: string; current: number; thisMonth: number; lastMonth: number }[];
}

/**
 * People per stage: how many are in each stage now (people_stage_aging_idx), and how many distinct
 * people entered each stage this month and last month (stage_transitions_to_at_idx, probed
 * once per stage through `to_stage = ANY`). Three set-based statements, no per-person work.
 */
export async function summarizeStages(q: Queryable, workspaceId: number, now: Date, tz: string): Promise<DashboardSummary> {
  const bounds = await q.query<{ last_start: Date; this_start: Date; next_start: Date; last_d: string; this_d: string; next_d: string }>(
    `WITH m AS (SELECT date_trunc('month', $1::timestamptz AT TIME ZONE $2) AS local_start)
     SELECT (local_start - interval '1 month') AT TIME ZONE $2 AS last_start,
            local_start AT TIME ZONE $2 AS this_start,
            (local_start + interval '1 month') AT TIME ZONE $2 AS next_start,
            to_char(local_start - interval '1 month', 'YYYY-MM-DD') AS last_d,
            to_char(local_start, 'YYYY-MM-DD') AS this_d,
            to_char(local_start + interval '1 month', 'YYYY-MM-DD') AS next_d
     FROM m`,
    [now, tz],
  );
  const b = bounds.rows[0];
  const [current, entered, created] = await Promise.all([
    q.query<{ stage: string; n: number }>('SELECT stage, count(*) AS n FROM people WHERE workspace_id = $1 GROUP BY stage', [workspaceId]),
    q.query<{ stage: string; this_month: number; last_month: number }>(
      `SELECT to_stage AS stage,
              count(DISTINCT person_id) FILTER (WHERE at >= $3) AS this_month,
              count(DISTINCT person_id) FILTER (WHERE at < $3) AS last_month
       FROM stage_transitions
       WHERE workspace_id = $1 AND to_stage = ANY($5::text[]) AND at >= $2 AND at < $4
       GROUP BY to_stage`,
      [workspaceId, b.last_start, b.this_start, b.next_start, STAGES],
    ),
    q.query<{ this_month: number; last_month: number }>(
      `SELECT count(*) FILTER (WHERE created_at >= $3) AS this_month, count(*) FILTER (WHERE created_at < $3) AS last_month
       FROM people WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $4`,
      [workspaceId, b.last_start, b.this_start, b.next_start],
    ),
  ]);
  const currentBy = new Map(current.rows.map((r) => [r.stage, Number(r.n)]));
  const enteredBy = new Map(entered.rows.map((r) => [r.stage, r]));
  return {
    timeZone: tz,
    thisMonth: { from: b.this_d, to: b.next_d },
    lastMonth: { from: b.last_d, to: b.this_d },
    totals: {
      people: [...currentBy.values()].reduce((a, n) => a + n, 0),
      createdThisMonth: Number(created.rows[0].this_month),
      createdLastMonth: Number(created.rows[0].last_month),
    },
    stages: STAGES.map((stage) => ({
      stage,
      current: currentBy.get(stage) ?? 0,
      thisMonth: Number(enteredBy.get(stage)?.this_month ?? 0),
      lastMonth: Number(enteredBy.get(stage)?.last_month ?? 0),
    })),
  };
}

/**
 * The people who entered `stage` in [from, to) (local dates in `tz`), most recent entry first —
 * what a dashboard number is made of. Reads stage_transitions_to_at_idx.
 */
export async function peopleEnteringStageBetween(
  q: Queryable,
  workspaceId: number,
  f: { stage: string; from: string; to: string; tz: string; limit: number; cursor?: string },
) {
  const after = decodeCursor(f.cursor, 2);
  const r = await q.query<PersonRow & { entered_at: Date; entered_exact: string }>(
    `SELECT ${PERSON_COLUMNS.split(',')
      .map((c) => `p.${c.trim()}`)
      .join(', ')}, e.entered_at, e.entered_at::text AS entered_exact
     FROM (SELECT person_id, max(at) AS entered_at FROM stage_transitions
           WHERE workspace_id = $1 AND to_stage = $2
             AND at >= ($3::date::timestamp AT TIME ZONE $5) AND at < ($4::date::timestamp AT TIME ZONE $5)
           GROUP BY person_id) e
     JOIN people p ON p.id = e.person_id AND p.workspace_id = $1
     WHERE ($6::timestamptz IS NULL OR (e.entered_at, p.id) < ($6::timestamptz, $7::uuid))
     ORDER BY e.entered_at DESC, p.id DESC LIMIT $8`,
    [workspaceId, f.stage, f.from, f.to, f.tz, after?.[0] ?? null, after?.[1] ?? null, f.limit + 1],
  );
  const page = toPage(r.rows, f.limit, (last) => [last.entered_exact, last.id]);
  return { items: page.items.map((row) => ({ ...toPerson(row), enteredAt: row.entered_at })), nextCursor: page.nextCursor };
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export async function dashboardRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/dashboard/summary',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['dashboard'],
        summary: 'People per stage: now, entered this month and last month; totals',
        querystring: z.object({ tz: tzSchema }),
      },
    },
    async (request) => summarizeStages(ctx.db, principalOf(request).workspaceId, ctx.clock.now(), checkTimeZone(request.query.tz)),
  );

  app.get(
    '/api/v1/dashboard/stage-entries',
    {
      config: { permission: 'people:read' },
      schema: {
        tags: ['dashboard'],
        summary: 'The people who entered a stage between two local dates (from inclusive, to exclusive)',
        querystring: z.object({ ...pageQuery, stage: stageSchema, from: isoDate, to: isoDate, tz: tzSchema }),
      },
    },
    async (request) => {
      const { stage, from, to, tz, limit, cursor } = request.query;
      if (Number.isNaN(Date.parse(from))) throw invalid('from', 'not a date');
      if (Number.isNaN(Date.parse(to))) throw invalid('to', 'not a date');
      if (to <= from) throw invalid('to', 'must be after from');
      return peopleEnteringStageBetween(ctx.db, principalOf(request).workspaceId, {
        stage,
        from,
        to,
        tz: checkTimeZone(tz),
        limit,
        cursor,
      });
    },
  );
}
