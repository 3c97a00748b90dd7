import type { Queryable } from '../platform/db/client.ts';
import { attribute, type Deal, type Model } from './attribution.ts';
import { periodBoundsSql } from './funnel.ts';
import type { Period } from './period.ts';

export interface CampaignRoi {
  campaignId: string;
  name: string;
  channel: string;
  startsOn: string | null;
  endsOn: string | null;
  cost: number;
  /** People the campaign reached: members of any status and people with activities of the campaign. */
  reached: number;
  /** Reached people whose lead-creation touch (the last touch up to their creation) was this campaign. */
  newInquiries: number;
  /** Reached people who entered MQL at or after their touch with this campaign. */
  mqls: number;
  /** Attributed amount of opportunities created in the period (any status). */
  pipeline: number;
  /** Attributed amount of deals won (closed) in the period. */
  attributedRevenue: number;
  /** (attributedRevenue − cost) / cost; null when the campaign cost nothing. */
  roi: number | null;
}

export interface AttributionReport {
  model: Model;
  from: string | null;
  to: string | null;
  campaigns: CampaignRoi[];
  channels: {
    channel: string;
    cost: number;
    pipeline: number;
    attributedRevenue: number;
    roi: number | null;
  }[];
  /** Deals in scope that had at least one campaign touch, and their amounts: what the campaigns share. */
  touched: { wonDeals: number; wonRevenue: number; pipelineDeals: number; pipeline: number };
  /** Won revenue of deals in the period without any campaign touch (attributed to nobody). */
  unattributedRevenue: number;
}

export const roiOf = (revenue: number, cost: number): number | null =>
  cost > 0 ? (revenue - cost) / cost : null;

interface DealRow {
  id: string;
  amount: number;
  in_pipeline: boolean;
  won_in_period: boolean;
  lead_created_at: Date;
  campaign_id: string;
  at: Date;
}

/** The opportunities in scope as SQL (`opp`): created in the period, or won in it. */
function opportunitiesInScopeSql(period: Period | null): string {
  const { lo, hi } = periodBoundsSql(2, 3);
  const inPeriod = (col: string) =>
    period ? `(${col} >= ${lo} AND ${col} < ${hi})` : `(${col} IS NOT NULL)`;
  return `SELECT o.id, o.person_id, o.amount, o.created_at,
            ${inPeriod('o.created_at')} AS in_pipeline,
            (o.status = 'won' AND ${inPeriod('o.closed_at')}) AS won_in_period
     FROM opportunities o
     WHERE o.workspace_id = $1 AND (${inPeriod('o.created_at')} OR (o.status = 'won' AND ${inPeriod('o.closed_at')}))`;
}

/**
 * The touched opportunities in scope with their touches up to their creation, in touch order
 * (one row per touch; untouched deals attribute nothing and are counted by dealTotals).
 */
async function touchedDeals(q: Queryable, ws: number, period: Period | null): Promise<DealRow[]> {
  const r = await q.query<DealRow>(
    `WITH opp AS (${opportunitiesInScopeSql(period)})
     SELECT opp.id, opp.amount, opp.in_pipeline, opp.won_in_period, t.person_created_at AS lead_created_at, t.campaign_id, t.at
     FROM opp JOIN campaign_touches t ON t.person_id = opp.person_id AND t.at <= opp.created_at
     ORDER BY opp.id, t.at, t.campaign_id`,
    period ? [ws, period.from, period.to] : [ws],
  );
  return r.rows;
}

/** Won revenue of the deals won in the period, touched or not. */
async function wonTotal(q: Queryable, ws: number, period: Period | null): Promise<number> {
  const r = await q.query<{ won: string | null }>(
    `WITH opp AS (${opportunitiesInScopeSql(period)}) SELECT sum(amount) FILTER (WHERE won_in_period) AS won FROM opp`,
    period ? [ws, period.from, period.to] : [ws],
  );
  return Number(r.rows[0].won ?? 0);
}

function toDeals(rows: DealRow[], keep: (r: DealRow) => boolean): Deal[] {
  const deals = new Map<string, Deal>();
  for (const r of rows) {
    if (!keep(r)) continue;
    let d = deals.get(r.id);
    if (!d) {
      d = { id: r.id, amount: r.amount, leadCreatedAt: r.lead_created_at.getTime(), touches: [] };
      deals.set(r.id, d);
    }
    d.touches.push({ campaignId: r.campaign_id, at: r.at.getTime() });
  }
  return [...deals.values()];
}

/** Each campaign with its reach, new Inquiries and MQLs, from the kept touches. */
function campaignFigures(q: Queryable, ws: number) {
  return q.query<{
    id: string;
    name: string;
    channel: string;
    starts_on: string | null;
    ends_on: string | null;
    cost: number;
    reached: number;
    new_inquiries: number;
    mqls: number;
  }>(
    // One pass over the kept touches, grouped by campaign (not a subquery per campaign): reached =
    // every touch row, MQLs = touched people whose latest MQL entry came at or after the touch,
    // new Inquiries = the touches marked as their person's lead-creation touch.
    `WITH per_campaign AS (
       SELECT campaign_id, count(*)::int AS reached, count(*) FILTER (WHERE last_mql_at >= at)::int AS mqls,
              count(*) FILTER (WHERE lead_touch)::int AS new_inquiries
       FROM campaign_touches WHERE workspace_id = $1 GROUP BY campaign_id
     )
     SELECT c.id, c.name, c.channel, c.starts_on, c.ends_on, c.cost, coalesce(pc.reached, 0) AS reached,
       coalesce(pc.new_inquiries, 0) AS new_inquiries, coalesce(pc.mqls, 0) AS mqls
     FROM campaigns c LEFT JOIN per_campaign pc ON pc.campaign_id = c.id
     WHERE c.workspace_id = $1 ORDER BY c.starts_on DESC NULLS LAST, c.name`,
    [ws],
  );
}

/**
 * Every campaign's reach, new Inquiries, MQLs, and pipeline and won revenue attributed under a
 * model, with ROI against cost; plus the same summed by channel. Without a period, all time.
 */
export async function attributionReport(
  q: Queryable,
  ws: number,
  model: Model,
  period: Period | null,
): Promise<AttributionReport> {
  // Three independent reads: on a pool they run side by side.
  const [rows, totalWon, c] = await Promise.all([
    touchedDeals(q, ws, period),
    wonTotal(q, ws, period),
    campaignFigures(q, ws),
  ]);
  const wonDeals = toDeals(rows, (r) => r.won_in_period);
  const pipeDeals = toDeals(rows, (r) => r.in_pipeline);
  const revenue = attribute(wonDeals, model);
  const pipeline = attribute(pipeDeals, model);

  const campaigns: CampaignRoi[] = c.rows.map((x) => {
    const won = revenue.get(x.id) ?? 0;
    return {
      campaignId: x.id,
      name: x.name,
      channel: x.channel,
      startsOn: x.starts_on,
      endsOn: x.ends_on,
      cost: x.cost,
      reached: x.reached,
      newInquiries: x.new_inquiries,
      mqls: x.mqls,
      pipeline: pipeline.get(x.id) ?? 0,
      attributedRevenue: won,
      roi: roiOf(won, x.cost),
    };
  });
  const byChannel = new Map<
    string,
    { channel: string; cost: number; pipeline: number; attributedRevenue: number; roi: number | null }
  >();
  for (const x of campaigns) {
    const ch = byChannel.get(x.channel) ?? {
      channel: x.channel,
      cost: 0,
      pipeline: 0,
      attributedRevenue: 0,
      roi: null,
    };
    ch.cost += x.cost;
    ch.pipeline += x.pipeline;
    ch.attributedRevenue += x.attributedRevenue;
    byChannel.set(x.channel, ch);
  }
  const channels = [...byChannel.values()]
    .map((ch) => ({ ...ch, roi: roiOf(ch.attributedRevenue, ch.cost) }))
    .sort((a, b) => b.attributedRevenue - a.attributedRevenue);
  return {
    model,
    from: period?.from ?? null,
    to: period?.to ?? null,
    campaigns,
    channels,
    touched: {
      wonDeals: wonDeals.length,
      wonRevenue: wonDeals.reduce((s, d) => s + d.amount, 0),
      pipelineDeals: pipeDeals.length,
      pipeline: pipeDeals.reduce((s, d) => s + d.amount, 0),
    },
    unattributedRevenue: totalWon - wonDeals.reduce((s, d) => s + d.amount, 0),
  };
}
