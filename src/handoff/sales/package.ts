import type { Queryable } from '../../platform/db/client.ts';
import { notFound } from '../../platform/errors.ts';
import { explainScore, type ScoreExplanation } from '../../scoring/explain.ts';

/** Everything the rep needs to call the lead with its story: the "handoff package". */
export interface HandoffPackage {
  person: {
    id: string;
    name: string;
    email: string;
    company: string | null;
    department: string | null;
    title: string | null;
    phone: string | null;
    prefecture: string | null;
    industry: string | null;
    employeeCount: number | null;
    stage: string;
    stageChangedAt: Date;
  };
  owner: { id: string; name: string; email: string } | null;
  acquisition: {
    source: string | null;
    channel: string | null;
    createdAt: Date;
    firstTouch: {
      type: string;
      occurredAt: Date;
      title: string | null;
      url: string | null;
      campaignName: string | null;
    } | null;
  };
  campaigns: { id: string; name: string; channel: string; status: string; joinedAt: Date }[];
  events: { type: string; occurredAt: Date; title: string | null; campaignName: string | null }[];
  content: {
    downloads: { title: string | null; url: string | null; occurredAt: Date }[];
    topPages: { url: string; views: number; lastAt: Date }[];
  };
  emails: {
    sent: number;
    opened: number;
    clicked: number;
    recent: { type: string; occurredAt: Date; subject: string | null; url: string | null }[];
  };
  activityCounts: Record<string, number>;
  score: ScoreExplanation & { summary: string[] };
  account: { id: string; name: string; domain: string | null; ownerId: string | null } | null;
  accountPeople: {
    id: string;
    name: string;
    email: string;
    title: string | null;
    stage: string;
    engagementScore: number;
    ownerId: string | null;
  }[];
  handoff: {
    id: number;
    status: string;
    mqlAt: Date;
    dueAt: Date | null;
    breached: boolean;
    escalatedAt: Date | null;
    decidedAt: Date | null;
    reason: string | null;
    note: string | null;
  } | null;
  assignment: {
    ownerId: string | null;
    ruleKind: string;
    ruleName: string | null;
    trigger: string;
    at: Date;
  } | null;
}

const fullName = (last: string | null, first: string | null, email: string) =>
  [last, first].filter(Boolean).join(' ') || email;

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const titleOf = (p: Record<string, unknown>) =>
  str(p.title) ?? str(p.name) ?? str(p.asset) ?? str(p.subject) ?? str(p.url);

const STORY_TYPES = ['event_registered', 'event_attended', 'content_download', 'email_open', 'email_click'];

/** Builds the handoff package of one person: a fixed number of indexed queries, whatever the history's size. */
export async function buildHandoffPackage(
  q: Queryable,
  workspaceId: number,
  personId: string,
  now = new Date(),
): Promise<HandoffPackage> {
  const pr = await q.query<{
    id: string;
    email: string;
    last_name: string | null;
    first_name: string | null;
    company: string | null;
    department: string | null;
    title: string | null;
    phone: string | null;
    prefecture: string | null;
    industry: string | null;
    employee_count: number | null;
    stage: string;
    stage_changed_at: Date;
    source: string | null;
    channel: string | null;
    created_at: Date;
    owner_id: string | null;
    owner_name: string | null;
    owner_email: string | null;
    account_id: string | null;
    account_name: string | null;
    account_domain: string | null;
    account_owner_id: string | null;
  }>(
    `SELECT p.id, p.email, p.last_name, p.first_name, p.company, p.department, p.title, p.phone, p.prefecture, p.industry,
            p.employee_count, p.stage, p.stage_changed_at, p.source, p.channel, p.created_at, p.owner_id,
            u.name AS owner_name, u.email AS owner_email,
            a.id AS account_id, a.name AS account_name, a.domain AS account_domain, a.owner_id AS account_owner_id
     FROM people p LEFT JOIN users u ON u.id = p.owner_id LEFT JOIN accounts a ON a.id = p.account_id
     WHERE p.workspace_id = $1 AND p.id = $2`,
    [workspaceId, personId],
  );
  const p = pr.rows[0];
  if (!p) throw notFound('Person', personId);

  // One query at a time: inside a transaction they share one client.
  // activities_person_time_idx serves the four activity queries.
  const first = await q.query<{
    type: string;
    occurred_at: Date;
    properties: Record<string, unknown>;
    campaign_name: string | null;
  }>(
    `SELECT a.type, a.occurred_at, a.properties, c.name AS campaign_name FROM activities a
       LEFT JOIN campaigns c ON c.id = a.campaign_id
       WHERE a.person_id = $1 ORDER BY a.occurred_at, a.id LIMIT 1`,
    [personId],
  );
  const story = await q.query<{
    type: string;
    occurred_at: Date;
    properties: Record<string, unknown>;
    campaign_name: string | null;
  }>(
    `SELECT a.type, a.occurred_at, a.properties, c.name AS campaign_name FROM activities a
       LEFT JOIN campaigns c ON c.id = a.campaign_id
       WHERE a.person_id = $1 AND a.type = ANY($2::text[]) ORDER BY a.occurred_at DESC, a.id DESC LIMIT 200`,
    [personId, STORY_TYPES],
  );
  const counts = await q.query<{ type: string; n: number }>(
    'SELECT type, count(*) AS n FROM activities WHERE person_id = $1 GROUP BY type',
    [personId],
  );
  const pages = await q.query<{ url: string; views: number; last_at: Date }>(
    `SELECT properties->>'url' AS url, count(*) AS views, max(occurred_at) AS last_at FROM activities
       WHERE person_id = $1 AND type = 'page_view' AND properties ? 'url'
       GROUP BY 1 ORDER BY views DESC, last_at DESC LIMIT 10`,
    [personId],
  );
  const campaigns = await q.query<{
    id: string;
    name: string;
    channel: string;
    status: string;
    joined_at: Date;
  }>(
    `SELECT c.id, c.name, c.channel, m.status, m.joined_at FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id
       WHERE m.person_id = $1 AND m.workspace_id = $2 ORDER BY m.joined_at DESC LIMIT 50`,
    [personId, workspaceId],
  );
  const others = p.account_id
    ? await q.query<{
        id: string;
        email: string;
        last_name: string | null;
        first_name: string | null;
        title: string | null;
        stage: string;
        engagement_score: number;
        owner_id: string | null;
      }>(
        `SELECT id, email, last_name, first_name, title, stage, engagement_score, owner_id FROM people
           WHERE account_id = $1 AND workspace_id = $2 AND id <> $3 ORDER BY engagement_score DESC, id LIMIT 20`,
        [p.account_id, workspaceId, personId],
      )
    : { rows: [] };
  const handoff = await q.query<{
    id: number;
    status: string;
    mql_at: Date;
    due_at: Date | null;
    escalated_at: Date | null;
    decided_at: Date | null;
    reason: string | null;
    note: string | null;
  }>(
    `SELECT id, status, mql_at, due_at, escalated_at, decided_at, reason, note FROM handoffs
       WHERE person_id = $1 AND workspace_id = $2 ORDER BY id DESC LIMIT 1`,
    [personId, workspaceId],
  );
  const assignment = await q.query<{
    owner_id: string | null;
    rule_kind: string;
    rule_name: string | null;
    trigger: string;
    at: Date;
  }>(
    `SELECT owner_id, rule_kind, rule_name, trigger, at FROM handoff_assignments
       WHERE person_id = $1 AND workspace_id = $2 ORDER BY at DESC, id DESC LIMIT 1`,
    [personId, workspaceId],
  );
  const score = await explainScore(q, workspaceId, personId);

  const countOf = Object.fromEntries(counts.rows.map((c) => [c.type, c.n]));
  const f = first.rows[0];
  const h = handoff.rows[0];
  const a = assignment.rows[0];
  return {
    person: {
      id: p.id,
      name: fullName(p.last_name, p.first_name, p.email),
      email: p.email,
      company: p.company,
      department: p.department,
      title: p.title,
      phone: p.phone,
      prefecture: p.prefecture,
      industry: p.industry,
      employeeCount: p.employee_count,
      stage: p.stage,
      stageChangedAt: p.stage_changed_at,
    },
    owner: p.owner_id ? { id: p.owner_id, name: p.owner_name ?? '', email: p.owner_email ?? '' } : null,
    acquisition: {
      source: p.source,
      channel: p.channel,
      createdAt: p.created_at,
      firstTouch: f
        ? {
            type: f.type,
            occurredAt: f.occurred_at,
            title: titleOf(f.properties),
            url: str(f.properties.url),
            campaignName: f.campaign_name,
          }
        : null,
    },
    campaigns: campaigns.rows.map((c) => ({
      id: c.id,
      name: c.name,
      channel: c.channel,
      status: c.status,
      joinedAt: c.joined_at,
    })),
    events: story.rows
      .filter((s) => s.type === 'event_registered' || s.type === 'event_attended')
      .slice(0, 20)
      .map((s) => ({
        type: s.type,
        occurredAt: s.occurred_at,
        title: titleOf(s.properties),
        campaignName: s.campaign_name,
      })),
    content: {
      downloads: story.rows
        .filter((s) => s.type === 'content_download')
        .slice(0, 20)
        .map((s) => ({
          title: titleOf(s.properties),
          url: str(s.properties.url),
          occurredAt: s.occurred_at,
        })),
      topPages: pages.rows.map((r) => ({ url: r.url, views: r.views, lastAt: r.last_at })),
    },
    emails: {
      sent: countOf.email_sent ?? 0,
      opened: countOf.email_open ?? 0,
      clicked: countOf.email_click ?? 0,
      recent: story.rows
        .filter((s) => s.type === 'email_open' || s.type === 'email_click')
        .slice(0, 20)
        .map((s) => ({
          type: s.type,
          occurredAt: s.occurred_at,
          subject: str(s.properties.subject),
          url: str(s.properties.url),
        })),
    },
    activityCounts: countOf,
    score: { ...score, summary: scoreSummary(score) },
    account: p.account_id
      ? {
          id: p.account_id,
          name: p.account_name ?? '',
          domain: p.account_domain,
          ownerId: p.account_owner_id,
        }
      : null,
    accountPeople: others.rows.map((o) => ({
      id: o.id,
      name: fullName(o.last_name, o.first_name, o.email),
      email: o.email,
      title: o.title,
      stage: o.stage,
      engagementScore: o.engagement_score,
      ownerId: o.owner_id,
    })),
    handoff: h
      ? {
          id: h.id,
          status: h.status,
          mqlAt: h.mql_at,
          dueAt: h.due_at,
          breached: h.status === 'awaiting' && !!h.due_at && h.due_at <= now,
          escalatedAt: h.escalated_at,
          decidedAt: h.decided_at,
          reason: h.reason,
          note: h.note,
        }
      : null,
    assignment: a
      ? { ownerId: a.owner_id, ruleKind: a.rule_kind, ruleName: a.rule_name, trigger: a.trigger, at: a.at }
      : null,
  };
}

/** The strongest reasons of the score in plain words ("料金ページ閲覧 ×3 +28"), biggest first. */
export function scoreSummary(score: ScoreExplanation, n = 5): string[] {
  return [...score.contributions]
    .filter((c) => c.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, n)
    .map(
      (c) =>
        `${c.name}${c.kind === 'engagement' && c.count > 1 ? ` ×${c.count}` : ''} ${c.points > 0 ? '+' : ''}${c.points}`,
    );
}
