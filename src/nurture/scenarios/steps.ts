import { changeStage } from '../../lifecycle/transitions.ts';
import type { Person } from '../../people/person.ts';
import { updatePerson } from '../../people/store.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { AppError, assertUnreachable } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { escapeHtml, type Locale, translate } from '../../platform/i18n.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { queueMail } from '../../platform/mail.ts';
import type { Actor } from '../../team/audit.ts';
import {
  type Filter,
  personMatches,
  type SendOutcome,
  type SendTemplateInput,
  segmentFilter,
  sendTemplateMail,
} from '../mail/api.ts';
import type { BranchCondition, Scenario, Step } from './model.ts';
import { waitUntil } from './time.ts';

export const WEBHOOK_QUEUE = 'scenarios.webhook';

export interface StepInput {
  tx: Queryable;
  ctx: AppContext;
  workspaceId: number;
  scenario: Scenario;
  enrolment: { id: number; occurrence: number; seq: number };
  person: Person;
  step: Step;
  now: Date;
  tz: string;
  actor: Actor;
}

export interface StepResult {
  /** What happened, for the history and the per-step counts: sent, skipped, waited, yes, no, done, exit. */
  outcome: string;
  detail: Record<string, unknown>;
  /** The step that follows; null ends the scenario. */
  next: string | null;
  /** When the next step may run (a wait). */
  resumeAt?: Date;
}

/**
 * Person × scenario × pass × step × visit: the idempotency key of a step's side effect. The
 * send is recorded under it in the same transaction as the step's history row.
 */
export function stepKey(input: Pick<StepInput, 'scenario' | 'person' | 'enrolment' | 'step'>): string {
  return `scenario:${input.scenario.id}:${input.person.id}:${input.enrolment.occurrence}:${input.step.id}:${input.enrolment.seq}`;
}

/** Runs one step's effect in the caller's transaction and says where to go next. */
export async function runStep(input: StepInput): Promise<StepResult> {
  const { step } = input;
  switch (step.type) {
    case 'send_email':
      return sendEmail(input, step);
    case 'wait':
      return {
        outcome: 'waited',
        detail: {},
        next: step.next ?? null,
        resumeAt: waitUntil(step, input.now, input.tz),
      };
    case 'branch': {
      const yes = await evaluateCondition(input, step.condition);
      return { outcome: yes ? 'yes' : 'no', detail: {}, next: (yes ? step.yes : step.no) ?? null };
    }
    case 'update_field':
      return updateField(input, step);
    case 'adjust_score':
      return adjustScore(input, step);
    case 'change_stage':
      return moveStage(input, step);
    case 'add_to_campaign':
      return addToCampaign(input, step);
    case 'assign_owner': {
      if (input.person.ownerId === step.ownerId)
        return { outcome: 'skipped', detail: { reason: 'already_owner' }, next: step.next ?? null };
      await updatePerson(input.tx, input.actor, input.person.id, { ownerId: step.ownerId });
      return { outcome: 'done', detail: { ownerId: step.ownerId }, next: step.next ?? null };
    }
    case 'notify_owner':
      return notifyOwner(input, step);
    case 'webhook': {
      await enqueue(
        input.tx,
        WEBHOOK_QUEUE,
        { enrolmentId: input.enrolment.id, seq: input.enrolment.seq, stepId: step.id },
        { key: `scn-webhook:${input.enrolment.id}:${input.enrolment.seq}`, maxAttempts: 8 },
      );
      return { outcome: 'queued', detail: { url: step.url }, next: step.next ?? null };
    }
    case 'exit':
      return { outcome: 'exit', detail: {}, next: null };
    default:
      return assertUnreachable(step);
  }
}

async function sendEmail(input: StepInput, step: Extract<Step, { type: 'send_email' }>): Promise<StepResult> {
  const outcome = await sendTemplateMail(input.tx, input.ctx, sendInput(input, step));
  return sendStepResult(step, outcome);
}

/** What a send step asks of the mail module; its idempotency key is the step's. */
export function sendInput(
  input: Pick<StepInput, 'workspaceId' | 'scenario' | 'person' | 'enrolment' | 'step'>,
  step: Extract<Step, { type: 'send_email' }>,
): SendTemplateInput {
  return {
    workspaceId: input.workspaceId,
    personId: input.person.id,
    templateId: step.templateId,
    idempotencyKey: stepKey(input),
    scenarioId: input.scenario.id,
  };
}

/** A send step's history entry from the mail module's outcome. */
export function sendStepResult(
  step: Extract<Step, { type: 'send_email' }>,
  outcome: SendOutcome,
): StepResult {
  const next = step.next ?? null;
  switch (outcome.status) {
    case 'queued':
    case 'duplicate':
      return {
        outcome: 'sent',
        detail: {
          messageId: outcome.messageId,
          templateId: step.templateId,
          duplicate: outcome.status === 'duplicate',
        },
        next,
      };
    case 'suppressed':
      return { outcome: 'skipped', detail: { reason: outcome.reason, templateId: step.templateId }, next };
    case 'no_email':
      return { outcome: 'skipped', detail: { reason: 'no_email', templateId: step.templateId }, next };
    default:
      return assertUnreachable(outcome);
  }
}

/** Whether the person satisfies a branch condition now. */
async function evaluateCondition(input: StepInput, c: BranchCondition): Promise<boolean> {
  const { tx, workspaceId, person, now } = input;
  switch (c.kind) {
    case 'segment':
      return personMatches(
        tx,
        workspaceId,
        await segmentFilter(tx, workspaceId, c.segmentId),
        person.id,
        now,
      );
    case 'filter':
      return personMatches(tx, workspaceId, c.filter as Filter, person.id, now);
    case 'opened':
    case 'clicked': {
      // The mail meant: the given send step's, or the last one this pass sent.
      const sent = await tx.query<{ message_id: string | null; at: Date }>(
        `SELECT detail->>'messageId' AS message_id, at FROM scenario_step_runs
         WHERE enrolment_id = $1 AND step_type = 'send_email' AND outcome = 'sent' AND ($2::text IS NULL OR step_id = $2)
         ORDER BY seq DESC LIMIT 1`,
        [input.enrolment.id, c.stepId ?? null],
      );
      const mail = sent.rows[0];
      if (!mail) return false;
      const types = c.kind === 'opened' ? ['email_open', 'email_click'] : ['email_click'];
      // activities_person_time_idx: this person's activities since the send.
      const r = await tx.query(
        `SELECT 1 FROM activities
         WHERE person_id = $1 AND type = ANY($2::text[]) AND occurred_at >= $3 AND occurred_at <= $3::timestamptz + make_interval(hours => $4::int)
           AND ($5::text IS NULL OR properties->>'messageId' = $5 OR NOT (properties ? 'messageId'))
         LIMIT 1`,
        [person.id, types, mail.at, c.withinHours, mail.message_id],
      );
      return r.rows.length > 0;
    }
    default:
      return assertUnreachable(c);
  }
}

async function updateField(
  input: StepInput,
  step: Extract<Step, { type: 'update_field' }>,
): Promise<StepResult> {
  const next = step.next ?? null;
  if (step.field.startsWith('customFields.')) {
    const key = step.field.slice('customFields.'.length);
    await updatePerson(input.tx, input.actor, input.person.id, { customFields: { [key]: step.value } });
  } else if (step.field === 'consent') {
    await updatePerson(input.tx, input.actor, input.person.id, {
      consent: step.value === true || step.value === 'true',
    });
  } else {
    await updatePerson(input.tx, input.actor, input.person.id, {
      [step.field]: step.value === null ? null : String(step.value),
    });
  }
  return { outcome: 'done', detail: { field: step.field, value: step.value }, next };
}

/**
 * Points by hand from a scenario: recorded as a `score_adjusted` activity (the history) and
 * added to the engagement score at once.
 */
async function adjustScore(
  input: StepInput,
  step: Extract<Step, { type: 'adjust_score' }>,
): Promise<StepResult> {
  await input.tx.query(
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, client_id)
     VALUES ($1, $2, 'score_adjusted', $3, $4, $5) ON CONFLICT DO NOTHING`,
    [
      input.workspaceId,
      input.person.id,
      input.now,
      JSON.stringify({ points: step.points, scenarioId: input.scenario.id, stepId: step.id }),
      stepKey(input),
    ],
  );
  const r = await input.tx.query<{ engagement_score: number }>(
    `UPDATE people SET engagement_score = greatest(0, engagement_score + $3), updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING engagement_score`,
    [input.workspaceId, input.person.id, step.points],
  );
  return {
    outcome: 'done',
    detail: { points: step.points, engagementScore: r.rows[0]?.engagement_score },
    next: step.next ?? null,
  };
}

async function moveStage(
  input: StepInput,
  step: Extract<Step, { type: 'change_stage' }>,
): Promise<StepResult> {
  const next = step.next ?? null;
  if (input.person.stage === step.stage)
    return { outcome: 'skipped', detail: { reason: 'already_in_stage', stage: step.stage }, next };
  try {
    await changeStage(input.tx, input.actor, {
      personId: input.person.id,
      to: step.stage,
      mover: 'system',
      actorType: 'scenario',
      actorId: input.scenario.id,
      reason: `シナリオ「${input.scenario.name}」 / scenario "${input.scenario.name}"`,
      at: input.now,
    });
  } catch (err) {
    // The waterfall forbids this move from the person's current stage: recorded, not retried.
    if (err instanceof AppError && err.status === 409) {
      return {
        outcome: 'skipped',
        detail: { reason: 'illegal_transition', from: input.person.stage, stage: step.stage },
        next,
      };
    }
    throw err;
  }
  return { outcome: 'done', detail: { from: input.person.stage, stage: step.stage }, next };
}

async function addToCampaign(
  input: StepInput,
  step: Extract<Step, { type: 'add_to_campaign' }>,
): Promise<StepResult> {
  const r = await input.tx.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status) VALUES ($1, $2, $3, $4)
     ON CONFLICT (campaign_id, person_id) DO NOTHING`,
    [input.workspaceId, step.campaignId, input.person.id, step.status],
  );
  if (r.affectedRows > 0) {
    await input.tx.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, campaign_id, properties, client_id)
       VALUES ($1, $2, 'campaign_joined', $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [
        input.workspaceId,
        input.person.id,
        input.now,
        step.campaignId,
        JSON.stringify({ status: step.status, scenarioId: input.scenario.id }),
        stepKey(input),
      ],
    );
  }
  return {
    outcome: r.affectedRows > 0 ? 'done' : 'skipped',
    detail: { campaignId: step.campaignId, ...(r.affectedRows ? {} : { reason: 'already_member' }) },
    next: step.next ?? null,
  };
}

const NOTIFY = {
  ja: {
    subject: '【Leadflow】{name} さんがシナリオ「{scenario}」のステップに到達しました',
    intro: '担当リードがナーチャリングシナリオのステップに到達しました。',
    open: 'リードを開く',
  },
  en: {
    subject: '[Leadflow] {name} reached a step of the scenario "{scenario}"',
    intro: 'A lead you own reached a step of a nurture scenario.',
    open: 'Open the lead',
  },
} as const;

async function notifyOwner(
  input: StepInput,
  step: Extract<Step, { type: 'notify_owner' }>,
): Promise<StepResult> {
  const next = step.next ?? null;
  const { person } = input;
  if (!person.ownerId) return { outcome: 'skipped', detail: { reason: 'no_owner' }, next };
  const u = await input.tx.query<{ email: string; name: string; locale: string | null; active: boolean }>(
    'SELECT email, name, locale, active FROM users WHERE workspace_id = $1 AND id = $2',
    [input.workspaceId, person.ownerId],
  );
  const owner = u.rows[0];
  if (!owner?.active) return { outcome: 'skipped', detail: { reason: 'owner_inactive' }, next };
  const locale: Locale = owner.locale === 'en' ? 'en' : 'ja';
  const name = [person.lastName, person.firstName].filter(Boolean).join(' ') || person.email;
  const vars = { name, scenario: input.scenario.name };
  const link = `${input.ctx.config.publicUrl}/people/${person.id}`;
  const lines = [
    translate(NOTIFY, locale, 'intro'),
    step.message ?? '',
    `${name}${person.company ? ` / ${person.company}` : ''} <${person.email}>`,
    `${translate(NOTIFY, locale, 'open')}: ${link}`,
  ].filter(Boolean);
  const id = await queueMail(input.tx, input.ctx, input.workspaceId, {
    idempotencyKey: `${stepKey(input)}:notify`,
    to: owner.email,
    subject: translate(NOTIFY, locale, 'subject', vars),
    text: lines.join('\n\n'),
    html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join(''),
    personId: person.id,
    kind: 'notification',
    meta: { scenarioId: input.scenario.id, stepId: step.id },
  });
  return { outcome: 'done', detail: { messageId: id, ownerId: person.ownerId }, next };
}
