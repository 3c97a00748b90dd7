import type { Queryable } from '../../platform/db/client.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';

/** Whose waiting leads: everyone's, or the given owners' (plus, optionally, the unowned ones). */
export interface InboxScope {
  ownerIds: string[] | null;
  includeUnassigned: boolean;
}

export interface InboxItem {
  handoffId: number;
  personId: string;
  name: string;
  email: string;
  company: string | null;
  title: string | null;
  prefecture: string | null;
  industry: string | null;
  source: string | null;
  channel: string | null;
  fitGrade: string | null;
  engagementScore: number;
  ownerId: string | null;
  ownerName: string | null;
  mqlAt: Date;
  dueAt: Date | null;
  breached: boolean;
  waitingHours: number;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

const scopeSql = `($2::uuid[] IS NULL OR h.owner_id = ANY($2::uuid[]) OR ($3 AND h.owner_id IS NULL))`;

/** MQLs awaiting acceptance, oldest first (handoffs_awaiting_idx / handoffs_awaiting_owner_idx). */
export async function listInbox(
  q: Queryable,
  workspaceId: number,
  scope: InboxScope,
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const after = decodeCursor(page.cursor, 2) as [string, number] | undefined;
  const r = await q.query<{
    id: number;
    person_id: string;
    email: string;
    last_name: string | null;
    first_name: string | null;
    company: string | null;
    title: string | null;
    prefecture: string | null;
    industry: string | null;
    source: string | null;
    channel: string | null;
    fit_grade: string | null;
    engagement_score: number;
    owner_id: string | null;
    owner_name: string | null;
    mql_at: Date;
    due_at: Date | null;
  }>(
    `SELECT h.id, h.person_id, p.email, p.last_name, p.first_name, p.company, p.title, p.prefecture, p.industry, p.source, p.channel,
            p.fit_grade, p.engagement_score, h.owner_id, u.name AS owner_name, h.mql_at, h.due_at
     FROM handoffs h JOIN people p ON p.id = h.person_id LEFT JOIN users u ON u.id = h.owner_id
     WHERE h.workspace_id = $1 AND h.status = 'awaiting' AND ${scopeSql}
       AND ($4::timestamptz IS NULL OR (h.mql_at, h.id) > ($4::timestamptz, $5::int8))
     ORDER BY h.mql_at, h.id LIMIT $6`,
    [
      workspaceId,
      scope.ownerIds,
      scope.includeUnassigned,
      after?.[0] ?? null,
      after?.[1] ?? null,
      page.limit + 1,
    ],
  );
  const items: InboxItem[] = r.rows.map((h) => ({
    handoffId: h.id,
    personId: h.person_id,
    name: [h.last_name, h.first_name].filter(Boolean).join(' ') || h.email,
    email: h.email,
    company: h.company,
    title: h.title,
    prefecture: h.prefecture,
    industry: h.industry,
    source: h.source,
    channel: h.channel,
    fitGrade: h.fit_grade,
    engagementScore: h.engagement_score,
    ownerId: h.owner_id,
    ownerName: h.owner_name,
    mqlAt: h.mql_at,
    dueAt: h.due_at,
    breached: !!h.due_at && h.due_at <= now,
    waitingHours: hours(now.getTime() - h.mql_at.getTime()),
  }));
  return toPage(items, page.limit, (last) => [last.mqlAt.toISOString(), last.handoffId]);
}

/** `{awaiting, breached, oldestWaitingHours}` for the dashboard. */
export async function handoffSummary(q: Queryable, workspaceId: number, scope: InboxScope, now: Date) {
  const r = await q.query<{ awaiting: number; breached: number; oldest: Date | null }>(
    `SELECT count(*) AS awaiting, count(*) FILTER (WHERE h.due_at <= $4) AS breached, min(h.mql_at) AS oldest
     FROM handoffs h WHERE h.workspace_id = $1 AND h.status = 'awaiting' AND ${scopeSql}`,
    [workspaceId, scope.ownerIds, scope.includeUnassigned, now],
  );
  const row = r.rows[0];
  return {
    awaiting: Number(row.awaiting),
    breached: Number(row.breached),
    oldestWaitingHours: row.oldest ? hours(now.getTime() - row.oldest.getTime()) : null,
  };
}
