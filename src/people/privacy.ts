import type { App, AppContext } from '../platform/http/context.ts';
import { recordAudit } from '../team/audit.ts';
import { actorOf } from '../team/auth.ts';
import { idParams } from './schemas.ts';
import { getPerson } from './store.ts';

/**
 * Personal-data export (APPI / GDPR access request): everything Leadflow holds about one person,
 * as one JSON document. Erasure is `DELETE /api/v1/people/{id}`.
 */
export async function privacyRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/v1/people/:id/export',
    {
      config: { permission: 'privacy:manage' },
      schema: { tags: ['people'], summary: 'Export all personal data held about a person (APPI / GDPR)', params: idParams },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const ws = actor.workspaceId;
      const id = request.params.id;
      const person = await getPerson(ctx.db, ws, id);
      const [activities, transitions, memberships, opportunities, mails] = await Promise.all([
        ctx.db.query('SELECT type, occurred_at, properties, campaign_id FROM activities WHERE workspace_id = $1 AND person_id = $2 ORDER BY occurred_at', [ws, id]),
        ctx.db.query('SELECT from_stage, to_stage, at, actor_type, reason FROM stage_transitions WHERE workspace_id = $1 AND person_id = $2 ORDER BY at', [ws, id]),
        ctx.db.query(
          'SELECT c.name, m.status, m.joined_at FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id WHERE m.workspace_id = $1 AND m.person_id = $2',
          [ws, id],
        ),
        ctx.db.query('SELECT name, amount, currency, status, created_at, closed_at FROM opportunities WHERE workspace_id = $1 AND person_id = $2', [ws, id]),
        ctx.db.query('SELECT subject, status, created_at, sent_at FROM mail_messages WHERE workspace_id = $1 AND person_id = $2 ORDER BY created_at', [ws, id]),
      ]);
      await recordAudit(ctx.db, actor, { action: 'person.exported', entityType: 'person', entityId: id });
      return reply.header('content-disposition', `attachment; filename="person-${id}.json"`).send({
        exportedAt: new Date().toISOString(),
        person,
        activities: activities.rows,
        stageHistory: transitions.rows,
        campaigns: memberships.rows,
        opportunities: opportunities.rows,
        mails: mails.rows,
      });
    },
  );
}
