import type { Queryable } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import type { Grade, Rule, RuleSet } from './rule-set.ts';
import { ruleSetVersion } from './store.ts';

interface StoredContribution {
  ruleId: string;
  points: number;
  count: number;
}

/** "料金ページ閲覧 ×3 +28, 資料ダウンロード ×1 +19": the biggest engagement contributions, in plain words. */
function topEngagement(set: RuleSet, contributions: StoredContribution[], n = 3): string {
  const names = new Map(set.rules.map((r) => [r.id, r.name]));
  return contributions
    .filter((c) => set.rules.find((r) => r.id === c.ruleId)?.kind === 'engagement' && c.points !== 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, n)
    .map((c) => `${names.get(c.ruleId) ?? c.ruleId} ×${c.count} ${c.points > 0 ? '+' : ''}${c.points}`)
    .join(', ');
}

/** The reason stored on an automatic MQL transition, in Japanese and English, with the strongest signals. */
export function mqlReason(set: RuleSet, grade: Grade, fitScore: number, engagement: number, contributions: StoredContribution[]): string {
  const top = topEngagement(set, contributions);
  return (
    `スコアリング v${set.version} でMQL条件を満たしました（適合度 ${grade}・${fitScore}点 / エンゲージメント ${engagement}点） — ` +
    `MQL condition of scoring v${set.version} met (fit ${grade}, ${fitScore}; engagement ${engagement})` +
    (top ? `: ${top}` : '')
  );
}

export interface ScoreExplanation {
  personId: string;
  fitGrade: Grade | null;
  fitScore: number;
  engagementScore: number;
  ruleSetVersion: number | null;
  mql: boolean;
  computedAt: Date | null;
  contributions: { ruleId: string; name: string; kind: Rule['kind']; points: number; count: number }[];
}

/** A person's current score with every contributing rule; the points add up to the two scores. */
export async function explainScore(q: Queryable, workspaceId: number, personId: string): Promise<ScoreExplanation> {
  const r = await q.query<{
    id: string;
    version: number | null;
    fit_score: number | null;
    fit_grade: Grade | null;
    engagement_score: number | null;
    mql: boolean | null;
    contributions: StoredContribution[] | null;
    computed_at: Date | null;
  }>(
    `SELECT p.id, s.version, s.fit_score, s.fit_grade, s.engagement_score, s.mql, s.contributions, s.computed_at
     FROM people p LEFT JOIN person_scores s ON s.person_id = p.id
     WHERE p.workspace_id = $1 AND p.id = $2`,
    [workspaceId, personId],
  );
  const row = r.rows[0];
  if (!row) throw notFound('Person', personId);
  if (row.version === null) {
    return { personId, fitGrade: null, fitScore: 0, engagementScore: 0, ruleSetVersion: null, mql: false, computedAt: null, contributions: [] };
  }
  const set = await ruleSetVersion(q, workspaceId, row.version);
  const rules = new Map(set.rules.map((rule) => [rule.id, rule]));
  return {
    personId,
    fitGrade: row.fit_grade,
    fitScore: row.fit_score ?? 0,
    engagementScore: row.engagement_score ?? 0,
    ruleSetVersion: row.version,
    mql: row.mql ?? false,
    computedAt: row.computed_at,
    contributions: (row.contributions ?? []).map((c) => ({
      ruleId: c.ruleId,
      name: rules.get(c.ruleId)?.name ?? c.ruleId,
      kind: rules.get(c.ruleId)?.kind ?? 'engagement',
      points: c.points,
      count: c.count,
    })),
  };
}

export interface ScoreHistoryPoint {
  at: Date;
  version: number;
  fitScore: number;
  fitGrade: Grade;
  engagementScore: number;
  cause: 'live' | 'rescore';
}

export async function scoreHistory(q: Queryable, workspaceId: number, personId: string, limit = 500): Promise<ScoreHistoryPoint[]> {
  // score_history_person_idx
  const r = await q.query<{ at: Date; version: number; fit_score: number; fit_grade: Grade; engagement_score: number; cause: 'live' | 'rescore' }>(
    `SELECT at, version, fit_score, fit_grade, engagement_score, cause FROM (
       SELECT * FROM score_history WHERE workspace_id = $1 AND person_id = $2 ORDER BY at DESC, id DESC LIMIT $3) h
     ORDER BY at, id`,
    [workspaceId, personId, limit],
  );
  return r.rows.map((h) => ({
    at: h.at,
    version: h.version,
    fitScore: h.fit_score,
    fitGrade: h.fit_grade,
    engagementScore: h.engagement_score,
    cause: h.cause,
  }));
}
