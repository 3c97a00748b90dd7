import type { Queryable } from '../platform/db/client.ts';

/** Who did something: a signed-in user, an API key, or the system itself (a rule, a job, the CLI). */
export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string | null;
  label: string;
  workspaceId: number;
}

export const systemActor = (label = 'system', workspaceId = 1): Actor => ({
  type: 'system',
  id: null,
  label,
  workspaceId,
});

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Field changes as { field: [before, after] }. */
  changes?: Record<string, [unknown, unknown]> | null;
  meta?: Record<string, unknown> | null;
}

/** Records a write in the audit log; call it in the same transaction as the write. */
export async function recordAudit(q: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, changes, meta)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      actor.workspaceId,
      actor.type,
      actor.id,
      actor.label,
      entry.action,
      entry.entityType,
      entry.entityId ?? null,
      entry.changes ? JSON.stringify(entry.changes) : null,
      entry.meta ? JSON.stringify(entry.meta) : null,
    ],
  );
}

/** The changed fields between two records, as { field: [before, after] }. */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) {
      changes[key] = [before[key] ?? null, after[key] ?? null];
    }
  }
  return changes;
}
