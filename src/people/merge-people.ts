import type { Queryable } from '../platform/db/client.ts';
import { invalid, notFound } from '../platform/errors.ts';
import { emitEvent } from '../platform/events.ts';
import { markForRescore } from '../scoring/live.ts';
import { type Actor, recordAudit } from '../team/audit.ts';
import {
  PERSON_COLUMNS,
  type Person,
  type PersonRow,
  PROFILE_FIELDS,
  type ProfileField,
  toPerson,
} from './person.ts';

/**
 * Tables whose rows follow a person when two people are merged (the timeline, the funnel
 * history, deals, mail, form posts, tracker visitors, handoffs). Each moves in its own savepoint:
 * a row that cannot move (a unique rule such as one open handoff per person) stays with the
 * merged-away person and goes with it.
 */
const MOVED_TABLES = [
  'activities',
  'stage_transitions',
  'opportunities',
  'mail_messages',
  'form_submissions',
  'tracker_visitors',
  'handoffs',
  'handoff_assignments',
] as const;

const STATUS_RANK =
  "CASE status WHEN 'member' THEN 0 WHEN 'invited' THEN 1 WHEN 'registered' THEN 2 WHEN 'no_show' THEN 3 WHEN 'attended' THEN 4 ELSE 0 END";

export interface MergeResult {
  person: Person;
  mergedId: string;
  mergedEmail: string;
  filled: string[];
  moved: Record<string, number>;
}

async function lockPerson(q: Queryable, ws: number, id: string, path: string): Promise<Person> {
  const r = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    [ws, id],
  );
  if (!r.rows[0]) throw path === 'id' ? notFound('Person', id) : invalid(path, `no person with id ${id}`);
  return toPerson(r.rows[0]);
}

/**
 * Merges `otherId` into `survivorId`, in the caller's transaction: the survivor keeps its values
 * and fills its blanks from the other; the earlier first touch (source, channel, created date)
 * wins; consent, unsubscribe and bounce are kept from either (never lost); the other's timeline,
 * stage history, campaign memberships and deals move to the survivor; the other is deleted. Audited.
 */
export async function mergePeople(
  q: Queryable,
  actor: Actor,
  survivorId: string,
  otherId: string,
): Promise<MergeResult> {
  const ws = actor.workspaceId;
  if (survivorId === otherId) throw invalid('otherId', 'a person cannot be merged with themselves');
  // Lock in id order so that two merges of the same pair cannot deadlock.
  const [first, second] = survivorId < otherId ? [survivorId, otherId] : [otherId, survivorId];
  const a = await lockPerson(q, ws, first, first === survivorId ? 'id' : 'otherId');
  const b = await lockPerson(q, ws, second, second === survivorId ? 'id' : 'otherId');
  const survivor = a.id === survivorId ? a : b;
  const other = a.id === survivorId ? b : a;

  const filled: string[] = [];
  const sets: string[] = [];
  const params: unknown[] = [ws, survivor.id];
  const set = (column: string, value: unknown, field: string) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
    filled.push(field);
  };
  for (const field of Object.keys(PROFILE_FIELDS) as ProfileField[]) {
    if (
      (survivor[field] === null || survivor[field] === '') &&
      other[field] !== null &&
      other[field] !== ''
    ) {
      set(PROFILE_FIELDS[field], other[field], field);
    }
  }
  const otherFirst = other.createdAt < survivor.createdAt;
  if (other.source && (!survivor.source || otherFirst)) set('source', other.source, 'source');
  if (other.channel && (!survivor.channel || otherFirst)) set('channel', other.channel, 'channel');
  if (otherFirst) set('created_at', other.createdAt, 'createdAt');
  if (!survivor.ownerId && other.ownerId) set('owner_id', other.ownerId, 'ownerId');
  if (!survivor.accountId && other.accountId) set('account_id', other.accountId, 'accountId');
  if (other.consent && !survivor.consent) set('consent', true, 'consent');
  if (other.unsubscribedAt && !survivor.unsubscribedAt)
    set('unsubscribed_at', other.unsubscribedAt, 'unsubscribedAt');
  if (other.bouncedAt && !survivor.bouncedAt) set('bounced_at', other.bouncedAt, 'bouncedAt');
  const merged = Array.isArray(survivor.customFields.mergedEmails)
    ? (survivor.customFields.mergedEmails as string[])
    : [];
  const custom = { ...other.customFields, ...survivor.customFields, mergedEmails: [...merged, other.email] };
  params.push(JSON.stringify(custom));
  sets.push(`custom_fields = $${params.length}`);

  const moved: Record<string, number> = {};
  for (const table of MOVED_TABLES) {
    const exists = await q.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
    if (!exists.rows[0].t) continue;
    await q.query('SAVEPOINT merge_move');
    try {
      const r = await q.query(`UPDATE ${table} SET person_id = $2 WHERE person_id = $1`, [
        other.id,
        survivor.id,
      ]);
      await q.query('RELEASE SAVEPOINT merge_move');
      moved[table] = r.affectedRows;
    } catch {
      await q.query('ROLLBACK TO SAVEPOINT merge_move');
      moved[table] = 0;
    }
  }
  // Memberships: one per campaign; the further status (invited → registered → attended) wins.
  const m = await q.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at)
     SELECT workspace_id, campaign_id, $2, status, joined_at FROM campaign_members WHERE person_id = $1
     ON CONFLICT (campaign_id, person_id) DO UPDATE SET
       status = CASE WHEN (${STATUS_RANK.replace('status', 'EXCLUDED.status')}) > (${STATUS_RANK.replace('status', 'campaign_members.status')})
                     THEN EXCLUDED.status ELSE campaign_members.status END,
       joined_at = least(campaign_members.joined_at, EXCLUDED.joined_at), updated_at = now()`,
    [other.id, survivor.id],
  );
  moved.campaign_members = m.affectedRows;

  await q.query('DELETE FROM people WHERE workspace_id = $1 AND id = $2', [ws, other.id]);
  const r = await q.query<PersonRow>(
    `UPDATE people SET ${sets.join(', ')}, updated_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING ${PERSON_COLUMNS}`,
    params,
  );
  const person = toPerson(r.rows[0]);
  const before = survivor as unknown as Record<string, unknown>;
  const after = person as unknown as Record<string, unknown>;
  const changes: Record<string, [unknown, unknown]> = {};
  for (const f of filled) changes[f] = [before[f] ?? null, after[f] ?? null];
  await recordAudit(q, actor, {
    action: 'person.merged',
    entityType: 'person',
    entityId: survivor.id,
    changes,
    meta: { mergedId: other.id, mergedEmail: other.email, moved },
  });
  await emitEvent(q, ws, 'person.merged', { personId: survivor.id, mergedId: other.id }, survivor.id);
  await emitEvent(q, ws, 'person.updated', { personId: survivor.id, fields: filled }, survivor.id);
  await markForRescore(q, ws, [survivor.id]);
  return { person, mergedId: other.id, mergedEmail: other.email, filled, moved };
}
