import type { Queryable } from '../../platform/db/client.ts';
import { conflict, isUniqueViolation, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { type Actor, recordAudit } from '../../team/audit.ts';
import { validateTemplateParts } from './render.ts';

export interface EmailTemplate {
  id: string;
  name: string;
  kind: 'marketing' | 'transactional';
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  locale: 'ja' | 'en';
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface TemplateRow {
  id: string;
  name: string;
  kind: 'marketing' | 'transactional';
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  locale: 'ja' | 'en';
  version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, name, kind, subject, preheader, html, text, locale, version, created_by, created_at, updated_at';

function toTemplate(r: TemplateRow): EmailTemplate {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    subject: r.subject,
    preheader: r.preheader,
    html: r.html,
    text: r.text,
    locale: r.locale,
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface TemplateInput {
  name: string;
  kind?: 'marketing' | 'transactional';
  subject: string;
  preheader?: string | null;
  html: string;
  text?: string | null;
  locale?: 'ja' | 'en';
}

export async function getTemplate(q: Queryable, workspaceId: number, id: string): Promise<EmailTemplate> {
  const r = await q.query<TemplateRow>(
    `SELECT ${COLUMNS} FROM email_templates WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('E-mail template', id);
  return toTemplate(r.rows[0]);
}

export async function listTemplates(
  q: Queryable,
  workspaceId: number,
  opts: { limit: number; cursor?: string; q?: string },
): Promise<{ items: EmailTemplate[]; nextCursor: string | null }> {
  const after = decodeCursor(opts.cursor, 2);
  const r = await q.query<TemplateRow & { cursor_at: string }>(
    `SELECT ${COLUMNS}, created_at::text AS cursor_at FROM email_templates WHERE workspace_id = $1
       AND ($2::text IS NULL OR lower(name) LIKE '%' || lower($2) || '%' OR lower(subject) LIKE '%' || lower($2) || '%')
       AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $5`,
    [workspaceId, opts.q ?? null, after?.[0] ?? null, after?.[1] ?? null, opts.limit + 1],
  );
  const page = toPage(r.rows, opts.limit, (last) => [last.cursor_at, last.id]);
  return { items: page.items.map(toTemplate), nextCursor: page.nextCursor };
}

function nameTaken(err: unknown): never {
  if (isUniqueViolation(err, 'email_templates_name_uq'))
    throw conflict('duplicate-name', 'A template with this name already exists');
  throw err;
}

/** Empty text means "generate the text part from the HTML". */
const blankToNull = (v: string | null | undefined) => (v == null || v.trim() === '' ? null : v);

export async function createTemplate(
  q: Queryable,
  actor: Actor,
  input: TemplateInput,
): Promise<EmailTemplate> {
  const parts = {
    subject: input.subject,
    preheader: blankToNull(input.preheader),
    html: input.html,
    text: blankToNull(input.text),
  };
  validateTemplateParts(parts);
  const r = await q
    .query<TemplateRow>(
      `INSERT INTO email_templates (workspace_id, name, kind, subject, preheader, html, text, locale, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        actor.workspaceId,
        input.name.trim(),
        input.kind ?? 'marketing',
        parts.subject,
        parts.preheader,
        parts.html,
        parts.text,
        input.locale ?? 'ja',
        actor.label,
      ],
    )
    .catch(nameTaken);
  const t = toTemplate(r.rows[0]);
  await recordAudit(q, actor, {
    action: 'email_template.created',
    entityType: 'email_template',
    entityId: t.id,
    meta: { name: t.name },
  });
  return t;
}

export async function updateTemplate(
  q: Queryable,
  actor: Actor,
  id: string,
  patch: Partial<TemplateInput>,
): Promise<EmailTemplate> {
  const before = await getTemplate(q, actor.workspaceId, id);
  const next = {
    name: patch.name?.trim() ?? before.name,
    kind: patch.kind ?? before.kind,
    subject: patch.subject ?? before.subject,
    preheader: patch.preheader === undefined ? before.preheader : blankToNull(patch.preheader),
    html: patch.html ?? before.html,
    text: patch.text === undefined ? before.text : blankToNull(patch.text),
    locale: patch.locale ?? before.locale,
  };
  validateTemplateParts(next);
  const r = await q
    .query<TemplateRow>(
      `UPDATE email_templates SET name = $3, kind = $4, subject = $5, preheader = $6, html = $7, text = $8, locale = $9,
              version = version + 1, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [
        actor.workspaceId,
        id,
        next.name,
        next.kind,
        next.subject,
        next.preheader,
        next.html,
        next.text,
        next.locale,
      ],
    )
    .catch(nameTaken);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const k of Object.keys(next) as (keyof typeof next)[])
    if (next[k] !== before[k]) changes[k] = [before[k], next[k]];
  await recordAudit(q, actor, {
    action: 'email_template.updated',
    entityType: 'email_template',
    entityId: id,
    changes,
  });
  return toTemplate(r.rows[0]);
}

export async function deleteTemplate(q: Queryable, actor: Actor, id: string): Promise<void> {
  const t = await getTemplate(q, actor.workspaceId, id);
  await q.query('DELETE FROM email_templates WHERE workspace_id = $1 AND id = $2', [actor.workspaceId, id]);
  await recordAudit(q, actor, {
    action: 'email_template.deleted',
    entityType: 'email_template',
    entityId: id,
    meta: { name: t.name },
  });
}

/** Delivery and engagement of a template's messages (mail_messages_template_idx). */
export async function templateStats(q: Queryable, workspaceId: number, id: string) {
  const r = await q.query<{
    queued: number;
    sent: number;
    failed: number;
    suppressed: number;
    opened: number;
    clicked: number;
    bounced: number;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
            count(*) FILTER (WHERE status IN ('sent', 'outbox')) AS sent,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
            count(*) FILTER (WHERE opened_at IS NOT NULL) AS opened,
            count(*) FILTER (WHERE clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE bounced_at IS NOT NULL) AS bounced
     FROM mail_messages WHERE template_id = $2 AND workspace_id = $1 AND kind <> 'test'`,
    [workspaceId, id],
  );
  const u = await q.query<{ n: number }>(
    `SELECT count(*) AS n FROM activities a WHERE a.workspace_id = $1 AND a.type = 'unsubscribe'
       AND (a.properties->>'messageId') IN (SELECT id::text FROM mail_messages WHERE template_id = $2 AND workspace_id = $1)`,
    [workspaceId, id],
  );
  return { ...r.rows[0], unsubscribed: u.rows[0].n };
}
