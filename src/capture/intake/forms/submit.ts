import { randomBytes } from 'node:crypto';
import type { PersonInput } from '../../../people/person.ts';
import { upsertPerson } from '../../../people/store.ts';
import type { Queryable } from '../../../platform/db/client.ts';
import { emitEvent } from '../../../platform/events.ts';
import type { Locale } from '../../../platform/i18n.ts';
import { signToken, verifyToken } from '../../../platform/tokens.ts';
import { markForRescore } from '../../../scoring/live.ts';
import { systemActor } from '../../../team/audit.ts';
import { identifyVisitor, VISITOR_ID_RE } from '../../identify.ts';
import { firstTouch, pickUtm, type Utm } from '../first-touch.ts';
import { type Form, PERSON_KEYS } from './model.ts';
import type { AnswerValue } from './validate.ts';

const FILL_PURPOSE = 'form-fill';
/** A form page older than this must be reloaded before it can be sent. (Default: 24 hours) */
const FILL_TOKEN_TTL_MS = 24 * 3_600_000;

/** The signed token a form page carries: which form, when it was shown, and a nonce for one submission. */
export function issueFillToken(secret: string, formId: string, now: Date): string {
  return signToken(secret, FILL_PURPOSE, {
    f: formId,
    t: now.getTime(),
    n: randomBytes(12).toString('base64url'),
  });
}

export type FillCheck = { ok: true; nonce: string } | { ok: false; reason: 'tooFast' | 'expired' };

/** A bot posts at once or without ever loading the page; a person needs a few seconds. */
export function checkFillToken(
  secret: string,
  form: Pick<Form, 'id' | 'minFillSeconds'>,
  token: unknown,
  now: Date,
): FillCheck {
  const v =
    typeof token === 'string'
      ? verifyToken<{ f: string; t: number; n: string }>(secret, FILL_PURPOSE, token)
      : undefined;
  if (!v || v.f !== form.id || typeof v.t !== 'number' || typeof v.n !== 'string')
    return { ok: false, reason: 'expired' };
  const age = now.getTime() - v.t;
  if (age > FILL_TOKEN_TTL_MS) return { ok: false, reason: 'expired' };
  if (age < form.minFillSeconds * 1000) return { ok: false, reason: 'tooFast' };
  return { ok: true, nonce: v.n };
}

export interface SubmissionMeta {
  pageUrl: string | null;
  referrer: string | null;
  utm: Utm;
  visitorId: string | null;
  locale: Locale;
  nonce: string;
}

export interface SubmitResult {
  submissionId: string;
  personId: string;
  /** False when this nonce was submitted before (a double click or a retried post). */
  created: boolean;
}

/**
 * Records a submission in one transaction: upserts the person (first-touch source and channel
 * only ever fill empty fields), stores the answers with the consent text the visitor saw,
 * records a `form_submit` activity, joins the form's campaign, merges the visitor's anonymous
 * history, emits `form.submitted` and refreshes the score.
 */
export async function recordSubmission(
  q: Queryable,
  form: Form & { workspaceId: number },
  answers: Record<string, AnswerValue>,
  consent: boolean,
  meta: SubmissionMeta,
): Promise<SubmitResult> {
  const ws = form.workspaceId;
  const dup = await q.query<{ id: string; person_id: string }>(
    'SELECT id, person_id FROM form_submissions WHERE form_id = $1 AND nonce = $2',
    [form.id, meta.nonce],
  );
  if (dup.rows[0]) return { submissionId: dup.rows[0].id, personId: dup.rows[0].person_id, created: false };

  const campaign = form.campaignId
    ? (
        await q.query<{ name: string; channel: string }>(
          'SELECT name, channel FROM campaigns WHERE id = $1',
          [form.campaignId],
        )
      ).rows[0]
    : undefined;
  const arrival = await arrivalOf(q, ws, meta);
  const touch = firstTouch(arrival.utm, arrival.referrer, {
    source: campaign?.name ?? form.name,
    channel: form.channel ?? campaign?.channel ?? 'web',
  });
  const input: Record<string, unknown> = {
    email: answers.email as string,
    source: touch.source,
    channel: touch.channel,
  };
  for (const [key, value] of Object.entries(answers)) if (PERSON_KEYS.has(key)) input[key] = value;
  if (typeof input.employeeCount === 'string') {
    // A select of size bands ("1,000〜4,999名") keeps its lower bound.
    const m = /\d[\d,]*/.exec(input.employeeCount.normalize('NFKC'));
    input.employeeCount = m ? Number(m[0].replace(/,/g, '')) : undefined;
  }
  if (consent) input.consent = true;
  const actor = systemActor(`form:${form.name}`, ws);
  const { person } = await upsertPerson(q, actor, input as unknown as PersonInput);

  const sub = await q.query<{ id: string }>(
    `INSERT INTO form_submissions (workspace_id, form_id, person_id, answers, consent, consent_text, page_url, referrer, utm, visitor_id, locale, nonce)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (form_id, nonce) DO NOTHING RETURNING id`,
    [
      ws,
      form.id,
      person.id,
      JSON.stringify(answers),
      consent,
      form.consentText,
      meta.pageUrl,
      meta.referrer,
      JSON.stringify(meta.utm),
      meta.visitorId,
      meta.locale,
      meta.nonce,
    ],
  );
  if (!sub.rows[0]) {
    // A concurrent post of the same page won the race; this one changes nothing more.
    const again = await q.query<{ id: string }>(
      'SELECT id FROM form_submissions WHERE form_id = $1 AND nonce = $2',
      [form.id, meta.nonce],
    );
    return { submissionId: again.rows[0].id, personId: person.id, created: false };
  }
  const submissionId = sub.rows[0].id;
  const freeAnswers = Object.fromEntries(Object.entries(answers).filter(([key]) => !PERSON_KEYS.has(key)));
  await q.query(
    `INSERT INTO activities (workspace_id, person_id, visitor_id, type, properties, campaign_id, client_id)
     VALUES ($1, $2, $3, 'form_submit', $4, $5, $6)`,
    [
      ws,
      person.id,
      meta.visitorId,
      JSON.stringify({
        formId: form.id,
        formName: form.name,
        submissionId,
        url: meta.pageUrl,
        referrer: meta.referrer,
        ...meta.utm,
        // Free questions ("ご興味のある内容") travel with the activity so the timeline tells the story.
        ...(Object.keys(freeAnswers).length ? { answers: freeAnswers } : {}),
      }),
      form.campaignId,
      `form:${submissionId}`,
    ],
  );
  if (form.campaignId) {
    const status = campaign && ['webinar', 'seminar'].includes(campaign.channel) ? 'registered' : 'member';
    await q.query(
      `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT (campaign_id, person_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
         WHERE campaign_members.status IN ('member', 'invited') AND EXCLUDED.status = 'registered'`,
      [ws, form.campaignId, person.id, status],
    );
  }
  if (meta.visitorId && VISITOR_ID_RE.test(meta.visitorId))
    await identifyVisitor(q, ws, meta.visitorId, person.id);
  await emitEvent(
    q,
    ws,
    'form.submitted',
    { formId: form.id, submissionId, campaignId: form.campaignId },
    person.id,
  );
  await markForRescore(q, ws, [person.id]);
  return { submissionId, personId: person.id, created: true };
}

/**
 * How the visitor arrived: the UTM and referrer of the form page, or, when that page has none,
 * of the visitor's first tracked page view (they landed from an ad, then browsed).
 */
async function arrivalOf(
  q: Queryable,
  ws: number,
  meta: SubmissionMeta,
): Promise<{ utm: Utm; referrer: string | null }> {
  if (Object.keys(meta.utm).length > 0 || !meta.visitorId || !VISITOR_ID_RE.test(meta.visitorId)) return meta;
  // activities_visitor_time_idx
  const r = await q.query<{ properties: Record<string, unknown> }>(
    `SELECT properties FROM activities
     WHERE visitor_id = $1 AND workspace_id = $2 AND type = 'page_view'
     ORDER BY occurred_at LIMIT 1`,
    [meta.visitorId, ws],
  );
  const first = r.rows[0]?.properties;
  if (!first) return meta;
  const referrer = typeof first.referrer === 'string' ? first.referrer : null;
  return { utm: pickUtm(first), referrer: referrer ?? meta.referrer };
}

/** Counts a post stopped as a bot (honeypot or timing), for the form list. */
export async function countSpam(q: Queryable, formId: string): Promise<void> {
  await q.query('UPDATE forms SET spam_blocked = spam_blocked + 1 WHERE id = $1', [formId]);
}
