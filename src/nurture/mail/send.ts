import { randomUUID } from 'node:crypto';
import { PERSON_COLUMNS, type Person, type PersonRow, toPerson } from '../../people/person.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import type { Locale } from '../../platform/i18n.ts';
import { type OutgoingMail, queueMail, queueMails } from '../../platform/mail.ts';
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

/** The suppression list's entry for an address, or undefined. */
async function listedReasons(
  q: Queryable,
  workspaceId: number,
  emails: string[],
): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const s = await q.query<{ email: string; reason: string }>(
    'SELECT email, reason FROM mail_suppressions WHERE workspace_id = $1 AND email = ANY($2::text[])',
    [workspaceId, emails],
  );
  return new Map(s.rows.map((r) => [r.email, r.reason]));
}

/** Why this person must not receive this kind of mail, given the suppression list's entry for the address. */
function suppressionReason(
  person: { consent: boolean; unsubscribedAt: Date | null; bouncedAt: Date | null },
  listed: string | undefined,
  settings: Pick<MailSettings, 'requireConsent'>,
  kind: 'marketing' | 'transactional',
): SuppressionReason | undefined {
  if (person.bouncedAt) return 'bounced';
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

interface PersonExtras {
  a_name: string | null;
  a_domain: string | null;
  a_industry: string | null;
  a_prefecture: string | null;
  a_employee_count: number | null;
  o_name: string | null;
  o_email: string | null;
  has_account: boolean;
}

/** The account and owner of each person, in the order given: one query for any number of people. */
async function extrasFor(q: Queryable, workspaceId: number, people: Person[]): Promise<PersonExtras[]> {
  const r = await q.query<PersonExtras & { i: string }>(
    `SELECT x.i, a.name AS a_name, a.domain AS a_domain, a.industry AS a_industry, a.prefecture AS a_prefecture,
            a.employee_count AS a_employee_count, a.id IS NOT NULL AS has_account, u.name AS o_name, u.email AS o_email
     FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(account_id, owner_id, i)
     LEFT JOIN accounts a ON a.id = x.account_id AND a.workspace_id = $1
     LEFT JOIN users u ON u.id = x.owner_id AND u.workspace_id = $1`,
    [workspaceId, people.map((p) => p.accountId), people.map((p) => p.ownerId)],
  );
  const byIndex = new Map(r.rows.map((row) => [Number(row.i), row]));
  return people.map((_, i) => byIndex.get(i + 1) as PersonExtras);
}

function buildVars(
  person: Person,
  e: PersonExtras | undefined,
  settings: MailSettings,
  ctx: Pick<AppContext, 'config'>,
  unsubscribe: string,
): RenderVars {
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

/** The variables a template sees for one person. */
export async function varsForPerson(
  q: Queryable,
  workspaceId: number,
  person: Person,
  settings: MailSettings,
  ctx: Pick<AppContext, 'config'>,
  unsubscribe: string,
): Promise<RenderVars> {
  const [extras] = await extrasFor(q, workspaceId, [person]);
  return buildVars(person, extras, settings, ctx, unsubscribe);
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

/**
 * The people of a send, locked FOR SHARE: an unsubscribe (an UPDATE of the row) waits for the
 * sending transaction, so the suppression check and the queued message never straddle it.
 */
export async function lockPeopleForSend(
  q: Queryable,
  workspaceId: number,
  ids: string[],
): Promise<Map<string, Person>> {
  const r = await q.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR SHARE`,
    [workspaceId, [...new Set(ids)]],
  );
  return new Map(r.rows.map((row) => [row.id, toPerson(row)]));
}

async function existingMessages(
  q: Queryable,
  workspaceId: number,
  keys: string[],
): Promise<Map<string, string>> {
  const r = await q.query<{ id: string; idempotency_key: string }>(
    'SELECT id, idempotency_key FROM mail_messages WHERE workspace_id = $1 AND idempotency_key = ANY($2::text[])',
    [workspaceId, keys],
  );
  return new Map(r.rows.map((row) => [row.idempotency_key, row.id]));
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
  const [outcome] = await sendTemplateMails(tx, ctx, input.workspaceId, [input]);
  return outcome;
}

/**
 * sendTemplateMail for many messages of one workspace in a few statements whatever their number
 * (a scenario step of fifty people: one read of each kind, one insert of each kind), with the
 * same checks and outcomes, in the order given. `people` may hold the people already locked
 * FOR SHARE by the caller (lockPeopleForSend); the others are locked here.
 */
export async function sendTemplateMails(
  tx: Queryable,
  ctx: AppContext,
  ws: number,
  inputs: SendTemplateInput[],
  people?: Map<string, Person>,
): Promise<SendOutcome[]> {
  const outcomes: (SendOutcome | undefined)[] = inputs.map(() => undefined);
  if (inputs.length === 0) return [];
  if (inputs.some((i) => i.workspaceId !== ws)) throw new Error('sendTemplateMails: one workspace at a time');
  const existing = await existingMessages(
    tx,
    ws,
    inputs.map((i) => i.idempotencyKey),
  );
  const pending: number[] = [];
  inputs.forEach((input, i) => {
    const id = existing.get(input.idempotencyKey);
    if (id) outcomes[i] = { status: 'duplicate', messageId: id };
    else pending.push(i);
  });
  if (pending.length === 0) return outcomes as SendOutcome[];

  const templates = new Map<string, EmailTemplate>();
  for (const i of pending) {
    const id = inputs[i].templateId;
    if (!templates.has(id)) templates.set(id, await getTemplate(tx, ws, id));
  }
  const missing = pending.map((i) => inputs[i].personId).filter((id) => !people?.has(id));
  const locked = missing.length ? await lockPeopleForSend(tx, ws, missing) : new Map<string, Person>();
  const personOf = (id: string): Person => {
    const p = people?.get(id) ?? locked.get(id);
    if (!p) throw notFound('Person', id);
    return p;
  };
  const settings = await getMailSettings(tx, ws, ctx.config);
  const listed = await listedReasons(
    tx,
    ws,
    pending.map((i) => personOf(inputs[i].personId).email).filter(isMailable),
  );

  // Who gets a message: a mailable address and no suppression.
  const sending: number[] = [];
  for (const i of pending) {
    const person = personOf(inputs[i].personId);
    const template = templates.get(inputs[i].templateId) as EmailTemplate;
    if (!isMailable(person.email)) {
      outcomes[i] = { status: 'no_email' };
      continue;
    }
    const reason = suppressionReason(person, listed.get(person.email), settings, template.kind);
    if (reason) outcomes[i] = { status: 'suppressed', reason };
    else sending.push(i);
  }
  if (sending.length === 0) return outcomes as SendOutcome[];

  const extras = await extrasFor(
    tx,
    ws,
    sending.map((i) => personOf(inputs[i].personId)),
  );
  const from = fromHeader(settings, ctx.config);
  const mails: (OutgoingMail & { id: string })[] = [];
  for (const [k, i] of sending.entries()) {
    const input = inputs[i];
    const person = personOf(input.personId);
    const template = templates.get(input.templateId) as EmailTemplate;
    const messageId = randomUUID();
    const marketing = template.kind === 'marketing';
    const unsub = unsubscribeUrl(ctx, messageId);
    // The links of the message, by index: a click token names an index, never a URL.
    const links: string[] = [];
    const rendered = await renderTemplate(template, buildVars(person, extras[k], settings, ctx, unsub), {
      locale: template.locale as Locale,
      marketing,
      rewriteLinks: (html) =>
        trackLinks(
          html,
          (url) => {
            let n = links.indexOf(url);
            if (n < 0) n = links.push(url) - 1;
            return clickUrl(ctx, messageId, n);
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
    mails.push({
      id: messageId,
      idempotencyKey: input.idempotencyKey,
      to: person.email as string,
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
  }
  const ids = await queueMails(tx, ctx, ws, mails);
  // A message with the same key committed by another transaction meanwhile: that one stands.
  const raced = sending.filter((_, k) => !ids[k]);
  const again = raced.length
    ? await existingMessages(
        tx,
        ws,
        raced.map((i) => inputs[i].idempotencyKey),
      )
    : new Map<string, string>();
  const sentAt = ctx.clock.now();
  const activities: { person: string; properties: string; campaign: string | null }[] = [];
  for (const [k, i] of sending.entries()) {
    const id = ids[k];
    if (!id) {
      outcomes[i] = { status: 'duplicate', messageId: again.get(inputs[i].idempotencyKey) as string };
      continue;
    }
    outcomes[i] = { status: 'queued', messageId: id };
    activities.push({
      person: inputs[i].personId,
      properties: JSON.stringify({
        messageId: id,
        templateId: inputs[i].templateId,
        subject: mails[k].subject,
        scenarioId: inputs[i].scenarioId ?? null,
      }),
      campaign: inputs[i].campaignId ?? null,
    });
  }
  if (activities.length) {
    await tx.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id)
       SELECT $1, u.person_id, 'email_sent', $2, u.properties::jsonb, u.campaign_id
       FROM unnest($3::uuid[], $4::text[], $5::uuid[]) AS u(person_id, properties, campaign_id)`,
      [
        ws,
        sentAt,
        activities.map((a) => a.person),
        activities.map((a) => a.properties),
        activities.map((a) => a.campaign),
      ],
    );
    await markForRescore(
      tx,
      ws,
      activities.map((a) => a.person),
    );
  }
  return outcomes as SendOutcome[];
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
