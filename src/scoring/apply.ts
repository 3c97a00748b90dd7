import { subscriberJobsSql } from '../platform/events.ts';
import type { Queryable } from '../platform/db/client.ts';

/**
 * Where new scores come from: SQL yielding (person_id, fit_score, fit_grade, engagement_score,
 * mql, contributions, computed_at), with its parameters numbered from $4 on.
 */
export interface ScoreSource {
  sql: string;
  params: unknown[];
}

export interface ApplyResult {
  /** People whose fit grade, fit score or engagement score changed. */
  changed: number;
}

/**
 * Writes new scores: a history row, a `person.score_changed` event and the totals on people for
 * every person whose score changed, and the explanation in person_scores for everyone scored
 * (so `people.score_version` is the rule-set version that last changed the score, and the
 * explanation's version the one that last computed it). A full rescore in which one rule's points
 * moved changes about one person in nine: rewriting all 1.2M rows of people took 40–60 s of the
 * swap at scale 10. A score
 * computed before the person was last scored with the same version (a live update that
 * overtook a long rescore) never overwrites the newer one. Runs in the caller's transaction.
 */
export async function applyScores(
  q: Queryable,
  workspaceId: number,
  version: number,
  cause: 'live' | 'rescore',
  source: ScoreSource,
): Promise<ApplyResult> {
  const base = [workspaceId, version, cause, ...source.params];
  // The version and moment a person was last scored are those of their explanation
  // (person_scores), which every scoring writes; people carries the score values and is written
  // only where they change.
  const fresh = `src AS (${source.sql}),
    fresh AS (
      SELECT s.*, p.fit_score AS old_fit_score, p.fit_grade AS old_fit_grade, p.engagement_score AS old_engagement_score,
             ps.version AS old_version,
             (p.fit_score IS DISTINCT FROM s.fit_score OR p.fit_grade IS DISTINCT FROM s.fit_grade
              OR p.engagement_score IS DISTINCT FROM s.engagement_score) AS changed
      FROM src s JOIN people p ON p.id = s.person_id AND p.workspace_id = $1
      LEFT JOIN person_scores ps ON ps.person_id = s.person_id
      WHERE ps.version IS DISTINCT FROM $2 OR ps.computed_at <= s.computed_at
    )`;
  const r = await q.query<{ changed: number }>(
    `WITH ${fresh},
     hist AS (
       INSERT INTO score_history (workspace_id, person_id, at, version, fit_score, fit_grade, engagement_score, cause)
       SELECT $1, person_id, computed_at, $2, fit_score, fit_grade, engagement_score, $3 FROM fresh WHERE changed
     ),
     ev AS (
       INSERT INTO events (workspace_id, type, person_id, data)
       SELECT $1, 'person.score_changed', person_id, jsonb_build_object(
         'personId', person_id, 'ruleSetVersion', $2::int, 'cause', $3::text,
         'fitGrade', fit_grade, 'fitScore', fit_score, 'engagementScore', engagement_score, 'mql', mql,
         'previous', jsonb_build_object('fitGrade', old_fit_grade, 'fitScore', old_fit_score,
                                        'engagementScore', old_engagement_score, 'ruleSetVersion', old_version))
       FROM fresh WHERE changed
       RETURNING id, workspace_id, type, person_id
     ),
     jobs_added AS (${subscriberJobsSql()} RETURNING 1),
     upd AS (
       UPDATE people p SET fit_score = f.fit_score, fit_grade = f.fit_grade, engagement_score = f.engagement_score,
              score_version = $2, scored_at = f.computed_at
       FROM fresh f WHERE p.id = f.person_id AND f.changed
     ),
     explained AS (
       INSERT INTO person_scores (person_id, workspace_id, version, fit_score, fit_grade, engagement_score, mql, contributions, computed_at)
       SELECT person_id, $1, $2, fit_score, fit_grade, engagement_score, mql, contributions, computed_at FROM fresh
       ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, fit_score = excluded.fit_score,
         fit_grade = excluded.fit_grade, engagement_score = excluded.engagement_score, mql = excluded.mql,
         contributions = excluded.contributions, computed_at = excluded.computed_at
     )
     SELECT count(*) FILTER (WHERE changed)::int AS changed FROM fresh`,
    base,
  );
  return { changed: r.rows[0].changed };
}
