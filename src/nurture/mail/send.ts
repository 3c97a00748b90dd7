import { randomUUID } from 'node:crypto';
import { PERSON_COLUMNS, type PersonRow, toPerson } from '../../people/person.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import type { Locale } from '../../platform/i18n.ts';
import { queueMail } from '../../platform/mail.ts';
import { markForRescore } from '../../scoring/live.ts';
import { type RenderVars, renderTemplate, sampleVars } from './render.ts';
import { fromHeader, getMailSettings, type MailSettings } from './settings.ts';
import { type EmailTemplate, getTemplate } from './templates.ts';
import { clickUrl, openPixelUrl, unsubscribeMailto, unsubscribeUrl } from './tokens.ts';

export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained' | 'suppressed' | 'no_consent';

export type SendOutcome =
  | { status: 'queued'; messageId: string }
  | { status: 'duplicate'; messageId: string }
  | { status: 'suppressed'; reason: SuppressionReason }
  | { status: 'no_email' };

export interface SendTemplateInput {
  workspaceId: number;
  personId: string;
  templateId: string;
  /** Unique per intended message, e.g. `scenario:<id>:<step>:<person>`: the same key never sends twice. */
  idempotencyKey: string;
  campaignId?: string;
  scenarioId?: string;
}


/** Why this person must not receive marketing mail now, or undefined. */
export async function suppressionOf(
  q: Queryable,
  workspaceId: number,
  person: { email: string; consent: boolean; unsubscribedAt: Date | null; bouncedAt: Date | null },
  settings: Pick<MailSettings, 'requireConsent'>,
  kind: 'marketing' | 'transactional',
): Promise<SuppressionReason | undefined> {
  if (person.bouncedAt) return 'bounced';
  const s = await q.query<{ reason: string }>(
    'SELECT reason FROM mail_suppressions WHERE workspace_id = $1 AND email = $2',
    [workspaceId, person.email],
  );
  const listed = s.rows[0]?.reason;
  if (listed === 'bounced' || listed === 'complained') return listed;
  if (kind === 'transactional') return undefined;
  if (person.unsubscribedAt || listed === 'unsubscribed') return 'unsubscribed';
  if (listed === 'manual') return 'suppressed';
  if (settings.requireConsent && !person.consent) return 'no_consent';
  return undefined;
}

export function isMailable(email: string | null | undefined): email is string {
  return !!email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

/** The variables a template sees for one person. */
export async function varsForPerson(
  q: Queryable,
  workspaceId: number,
  person: ReturnType<typeof toPerson>,
  settings: MailSettings,
  ctx: Pick<AppContext, 'config'>,
  unsubscribe: string,
): Promise<RenderVars> {
  const extra = await q.query<{
    a_name: string | null;
    a_domain: string | null;
    a_industry: string | null;
    a_prefecture: string | null;
    a_employee_count: number | null;
    o_name: string | null;
    o_email: string | null;
    has_account: boolean;
  }>(
    `SELECT a.name AS a_name, a.domain AS a_domain, a.industry AS a_industry, a.prefecture AS a_prefecture,
            a.employee_count AS a_employee_count, a.id IS NOT NULL AS has_account, u.name AS o_name, u.email AS o_email
     FROM (SELECT $2::uuid AS account_id, $3::uuid AS owner_id) x
     LEFT JOIN accounts a ON a.id = x.account_id AND a.workspace_id = $1
     LEFT JOIN users u ON u.id = x.owner_id AND u.workspace_id = $1`,
    [workspaceId, person.accountId, person.ownerId],
  );
  const e = extra.rows[0];
  const from = fromHeader(settings, ctx.config);
  return {
    person: { ...person, customFields: person.customFields ?? {} },
    account: e?.has_account
      ? {
          name: e.a_name,
          domain: e.a_domain,
          industry: e.a_industry,
          prefecture: e.a_prefecture,
          employeeCount: e.a_employee_count,
        }
      : null,
    owner: e?.o_email ? { name: e.o_name, email: e.o_email } : null,
    sender: {
      name: settings.senderName,
      email: from.address,
      postalAddress: settings.postalAddress,
      contact: settings.contact,
    },
    unsubscribeUrl: unsubscribe,
  };
}

/** Rewrites http(s) links of the HTML to tracked redirects; the unsubscribe link and mailto: stay as they are. */
export function trackLinks(html: string, link: (url: string) => string, skip: string): string {
  return html.replace(
    /<a\b([^>]*?)\bhref\s*=\s*("([^"]*)"|'([^']*)')/gi,
    (whole, attrs: string, _q, dq?: string, sq?: string) => {
      const raw = (dq ?? sq ?? '')
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
      if (!/^https?:\/\//i.test(raw) || raw === skip || /data-lf-unsubscribe/.test(attrs)) return whole;
      return `<a${attrs}href="${link(raw).replace(/&/g, '&amp;')}"`;
    },
  );
}

export function formatFrom(name: string, address: string): string {
  const clean = name.replace(/["<>\\\r\n]/g, '').trim();
  return clean ? `"${clean}" <${address}>` : address;
}

async function lockedPerson(q: Queryable, workspaceId: number, personId: string) {
  // FOR SHARE: an unsubscribe (an UPDATE of this row) waits for this transaction, so the
  // check below and the queued message can never straddle it.
  const r = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2 FOR SHARE`,
    [workspaceId, personId],
  );
  if (!r.rows[0]) throw notFound('Person', personId);
  return toPerson(r.rows[0]);
}

/**
 * Renders a template for a person and queues it in the caller's transaction: suppression
 * and consent checked against the locked person row, the unsubscribe link and
 * List-Unsubscribe headers, the sender identity, open and click tracking, and the
 * `email_sent` activity. The same idempotency key never produces a second message.
 */
export async function sendTemplateMail(
  tx: Queryable,
  ctx: AppContext,
  input: SendTemplateInput,
): Promise<SendOutcome> {
  const ws = input.workspaceId;
  const key = input.idempotencyKey;
  const existing = await tx.query<{ id: string }>(
    'SELECT id FROM mail_messages WHERE workspace_id = $1 AND idempotency_key = $2',
    [ws, key],
  );
  if (existing.rows[0]) return { status: 'duplicate', messageId: existing.rows[0].id };

  const template = await getTemplate(tx, ws, input.templateId);
  const person = await lockedPerson(tx, ws, input.personId);
  const settings = await getMailSettings(tx, ws, ctx.config);
  const to = person.email;
  if (!isMailable(to)) return { status: 'no_email' };
  const reason = await suppressionOf(tx, ws, person, settings, template.kind);
  if (reason) return { status: 'suppressed', reason };

  const messageId = randomUUID();
  const marketing = template.kind === 'marketing';
  const unsub = unsubscribeUrl(ctx, messageId);
  // The links of the message, by index: a click token names an index, never a URL.
  const links: string[] = [];
  const vars = await varsForPerson(tx, ws, person, settings, ctx, unsub);
  const rendered = await renderTemplate(template, vars, {
    locale: template.locale as Locale,
    marketing,
    rewriteLinks: (html) =>
      trackLinks(
        html,
        (url) => {
          let i = links.indexOf(url);
          if (i < 0) i = links.push(url) - 1;
          return clickUrl(ctx, messageId, i);
        },
        unsub,
      ),
  });
  const img = pixel(ctx, messageId);
  const html = /<\/body>/i.test(rendered.html)
    ? rendered.html.replace(/<\/body>/i, `${img}</body>`)
    : rendered.html + img;
  const headers: Record<string, string> = {};
  if (marketing) {
    // RFC 2369 + RFC 8058: one List-Unsubscribe header with both URIs, and one-click POST.
    headers['List-Unsubscribe'] = `<${unsub}>, <${unsubscribeMailto(ctx, settings, messageId)}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  if (settings.replyTo) headers['Reply-To'] = settings.replyTo;
  const from = fromHeader(settings, ctx.config);
  const id = await queueMail(tx, ctx, ws, {
    id: messageId,
    idempotencyKey: key,
    to,
    from: formatFrom(from.name, from.address),
    subject: rendered.subject,
    html,
    text: rendered.text,
    personId: person.id,
    kind: marketing ? 'marketing' : 'transactional',
    headers,
    templateId: template.id,
    meta: {
      templateId: template.id,
      templateVersion: template.version,
      campaignId: input.campaignId,
      scenarioId: input.scenarioId,
      links,
    },
  });
  if (!id) {
    const again = await tx.query<{ id: string }>(
      'SELECT id FROM mail_messages WHERE workspace_id = $1 AND idempotency_key = $2',
      [ws, key],
    );
    return { status: 'duplicate', messageId: again.rows[0].id };
  }
  await tx.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
     VALUES ($1, $2, 'email_sent', $3, $4, $5)`,
    [
      ws,
      person.id,
      ctx.clock.now(),
      JSON.stringify({
        messageId: id,
        templateId: template.id,
        subject: rendered.subject,
        scenarioId: input.scenarioId ?? null,
      }),
      input.campaignId ?? null,
    ],
  );
  await markForRescore(tx, ws, [person.id]);
  return { status: 'queued', messageId: id };
}

/**
 * Renders a template (saved or a draft) for a chosen person, or for sample values when none
 * is chosen. Links are not tracked and the unsubscribe link is inert.
 */
export async function previewTemplate(
  q: Queryable,
  ctx: AppContext,
  workspaceId: number,
  template: Pick<EmailTemplate, 'subject' | 'preheader' | 'html' | 'text' | 'kind' | 'locale'>,
  personId?: string,
) {
  const settings = await getMailSettings(q, workspaceId, ctx.config);
  const inert = `${ctx.config.publicUrl}/u/preview`;
  let vars: RenderVars;
  if (personId) {
    const r = await q.query<PersonRow>(
      `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, personId],
    );
    if (!r.rows[0]) throw invalid('personId', 'no such person');
    vars = await varsForPerson(q, workspaceId, toPerson(r.rows[0]), settings, ctx, inert);
  } else {
    const from = fromHeader(settings, ctx.config);
    vars = sampleVars(
      {
        name: settings.senderName,
        email: from.address,
        postalAddress: settings.postalAddress,
        contact: settings.contact,
      },
      inert,
    );
  }
  const rendered = await renderTemplate(template, vars, {
    locale: template.locale as Locale,
    marketing: template.kind === 'marketing',
  });
  return {
    ...rendered,
    to: String(vars.person.email ?? ''),
    from: formatFrom(settings.senderName, fromHeader(settings, ctx.config).address),
  };
}

/** Queues a test of a template to any address: marked [TEST], no tracking, no activity, no suppression check. */
export async function sendTestMail(
  tx: Queryable,
  ctx: AppContext,
  input: {
    workspaceId: number;
    template: EmailTemplate;
    to: string;
    personId?: string;
    idempotencyKey: string;
  },
): Promise<{ messageId: string; duplicate: boolean }> {
  const preview = await previewTemplate(tx, ctx, input.workspaceId, input.template, input.personId);
  const id = await queueMail(tx, ctx, input.workspaceId, {
    idempotencyKey: `test:${input.idempotencyKey}`,
    to: input.to,
    from: preview.from,
    subject: `[TEST] ${preview.subject}`,
    html: preview.html,
    text: preview.text,
    personId: input.personId ?? null,
    kind: 'test',
    templateId: input.template.id,
    meta: { templateId: input.template.id, templateVersion: input.template.version, test: true },
  });
  if (id) return { messageId: id, duplicate: false };
  const r = await tx.query<{ id: string }>(
    'SELECT id FROM mail_messages WHERE workspace_id = $1 AND idempotency_key = $2',
    [input.workspaceId, `test:${input.idempotencyKey}`],
  );
  return { messageId: r.rows[0].id, duplicate: true };
}

function pixel(ctx: Pick<AppContext, 'config' | 'secret'>, messageId: string): string {
  return `<img src="${openPixelUrl(ctx, messageId)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
}

export type { EmailTemplate };
