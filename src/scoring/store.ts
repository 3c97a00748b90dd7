import type { Queryable } from '../platform/db/client.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { enqueue } from '../platform/jobs/queue.ts';
import { type Actor, recordAudit } from '../team/audit.ts';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import type { RuleSet } from './rule-set.ts';
import type { RuleSetDraft } from './validate.ts';

export const RESCORE_QUEUE = 'scoring.rescore';

export interface RuleSetVersion {
  version: number;
  comment: string | null;
  createdBy: string | null;
  createdAt: Date;
  ruleCount: number;
}

/** The rule set in force: the newest saved version, or undefined before the first save. */
export async function activeRuleSet(q: Queryable, workspaceId: number): Promise<RuleSet | undefined> {
  const r = await q.query<{ version: number; document: Omit<RuleSet, 'version'> }>(
    'SELECT version, document FROM scoring_rule_sets WHERE workspace_id = $1 ORDER BY version DESC LIMIT 1',
    [workspaceId],
  );
  const row = r.rows[0];
  return row ? { ...row.document, version: row.version } : undefined;
}

export async function ruleSetVersion(q: Queryable, workspaceId: number, version: number): Promise<RuleSet> {
  const r = await q.query<{ document: Omit<RuleSet, 'version'> }>(
    'SELECT document FROM scoring_rule_sets WHERE workspace_id = $1 AND version = $2',
    [workspaceId, version],
  );
  if (!r.rows[0]) throw notFound('Rule set version', String(version));
  return { ...r.rows[0].document, version };
}

export async function listRuleSetVersions(q: Queryable, workspaceId: number): Promise<RuleSetVersion[]> {
  const r = await q.query<{ version: number; comment: string | null; created_by_label: string | null; created_at: Date; rule_count: number }>(
    `SELECT version, comment, created_by_label, created_at, jsonb_array_length(document -> 'rules') AS rule_count
     FROM scoring_rule_sets WHERE workspace_id = $1 ORDER BY version DESC`,
    [workspaceId],
  );
  return r.rows.map((row) => ({
    version: row.version,
    comment: row.comment,
    createdBy: row.created_by_label,
    createdAt: row.created_at,
    ruleCount: row.rule_count,
  }));
}

/** JSON with object keys sorted, so a document read back from jsonb compares equal to the one sent. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const bodyOf = (s: Omit<RuleSetDraft, 'version'>) =>
  canonical({ halfLifeDays: s.halfLifeDays, fitGrades: s.fitGrades, mql: s.mql, rules: s.rules });

export interface SaveResult {
  ruleSet: RuleSet;
  created: boolean;
  runId: number | null;
}

/**
 * Saves a rule set as the next version and schedules the rescoring of everyone with it, in
 * the caller's transaction. An unchanged document keeps the current version. When the draft
 * names the version it was edited from and a newer one exists, answers 409 rather than
 * silently overwriting a colleague's change.
 */
export async function saveRuleSet(
  q: Queryable,
  actor: Actor,
  draft: RuleSetDraft,
  opts: { comment?: string | null; now: Date },
): Promise<SaveResult> {
  const ws = actor.workspaceId;
  // Serialises concurrent saves of one workspace.
  await q.query('SELECT id FROM workspaces WHERE id = $1 FOR UPDATE', [ws]);
  const current = await activeRuleSet(q, ws);
  const currentVersion = current?.version ?? 0;
  if (draft.version !== undefined && draft.version !== currentVersion) {
    throw conflict('stale-rule-set', `The rule set was changed meanwhile: you edited version ${draft.version}, the current one is ${currentVersion}`);
  }
  if (current && bodyOf(current) === bodyOf(draft)) return { ruleSet: current, created: false, runId: null };
  const version = currentVersion + 1;
  const document = JSON.parse(bodyOf(draft)) as Omit<RuleSet, 'version'>;
  await q.query(
    `INSERT INTO scoring_rule_sets (workspace_id, version, document, comment, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [ws, version, JSON.stringify(document), opts.comment ?? null, actor.id, actor.label],
  );
  await recordAudit(q, actor, {
    action: 'scoring.rules_saved',
    entityType: 'scoring_rule_set',
    entityId: String(version),
    meta: { comment: opts.comment ?? null, previousVersion: currentVersion || null },
  });
  const runId = await startRescore(q, ws, version, 'rules_changed', opts.now);
  return { ruleSet: { ...document, version }, created: true, runId };
}

/** Creates a rescoring run of everyone with one version and enqueues its job, in the caller's transaction. */
export async function startRescore(
  q: Queryable,
  workspaceId: number,
  version: number,
  reason: 'rules_changed' | 'manual' | 'daily',
  asOf: Date,
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO scoring_runs (workspace_id, version, reason, as_of) VALUES ($1, $2, $3, $4) RETURNING id`,
    [workspaceId, version, reason, asOf],
  );
  const id = r.rows[0].id;
  await enqueue(q, RESCORE_QUEUE, { runId: id }, { key: `${RESCORE_QUEUE}:${id}`, maxAttempts: 25 });
  return id;
}

/** The default rule set, offered before the first save. */
export function defaultDraft(): RuleSet {
  return { ...structuredClone(DEFAULT_RULE_SET), version: 0 };
}
