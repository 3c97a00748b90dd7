import { z } from 'zod';
import { STAGES } from '../../lifecycle/stages.ts';

/*
 * The scenario document: a trigger, a list of steps linked by id (`next`, or `yes`/`no` for a
 * branch), an optional goal that ends it early, and re-entry rules. Pure types and schemas;
 * the graph checks live in validate.ts.
 */

const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (at most 40)');
const next = stepId.nullable().optional().describe('The step that follows; null or absent ends the scenario');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const label = z.string().max(200).optional();

export const filterSchema = z
  .record(z.string(), z.unknown())
  .describe('A filter in the segment filter language (see docs/nurture.md)');

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('form_submitted'), formId: z.uuid().nullable().optional() }).strict(),
  z
    .object({
      type: z.literal('segment_entered'),
      segmentId: z.uuid(),
      includeExisting: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('stage_changed'),
      to: z.enum(STAGES),
      from: z.enum(STAGES).nullable().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('score_crossed'),
      score: z.enum(['engagement', 'fit']).default('engagement'),
      threshold: z.number().int().min(-1000).max(100_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('date_field'),
      field: z
        .string()
        .regex(/^customFields\.[\w-]{1,100}$/, 'customFields.<key> holding a date (YYYY-MM-DD)'),
      offsetDays: z.number().int().min(-3650).max(3650).default(0),
    })
    .strict(),
  z.object({ type: z.literal('manual') }).strict(),
]);
export type Trigger = z.infer<typeof triggerSchema>;
export type TriggerType = Trigger['type'];
export const TRIGGER_TYPES = [
  'form_submitted',
  'segment_entered',
  'stage_changed',
  'score_crossed',
  'date_field',
  'manual',
] as const;

export const branchConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('segment'), segmentId: z.uuid() }).strict(),
  z.object({ kind: z.literal('filter'), filter: filterSchema }).strict(),
  z
    .object({
      kind: z.enum(['opened', 'clicked']),
      withinHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 90)
        .default(72),
      /** The send step whose mail is meant; absent: the last mail this scenario sent the person. */
      stepId: stepId.optional(),
    })
    .strict(),
]);
export type BranchCondition = z.infer<typeof branchConditionSchema>;

const base = { id: stepId, name: label };

export const UPDATABLE_FIELDS = [
  'lastName',
  'firstName',
  'company',
  'department',
  'title',
  'phone',
  'industry',
  'prefecture',
  'country',
  'consent',
] as const;

export const stepSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('send_email'), templateId: z.uuid(), next }).strict(),
  z
    .object({
      ...base,
      type: z.literal('wait'),
      duration: z
        .object({
          amount: z.number().int().min(1).max(10_000),
          unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
        })
        .strict()
        .optional(),
      until: z
        .object({ weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional(), time: hhmm })
        .strict()
        .optional()
        .describe(
          "Then until the next of these weekdays (0 = Sunday) at this local time in the person's time zone",
        ),
      next,
    })
    .strict(),
  z
    .object({ ...base, type: z.literal('branch'), condition: branchConditionSchema, yes: next, no: next })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('update_field'),
      field: z.union([z.enum(UPDATABLE_FIELDS), z.string().regex(/^customFields\.[\w-]{1,100}$/)]),
      value: z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
      next,
    })
    .strict(),
  z
    .object({ ...base, type: z.literal('adjust_score'), points: z.number().int().min(-1000).max(1000), next })
    .strict(),
  z.object({ ...base, type: z.literal('change_stage'), stage: z.enum(STAGES), next }).strict(),
  z
    .object({
      ...base,
      type: z.literal('add_to_campaign'),
      campaignId: z.uuid(),
      status: z.enum(['member', 'invited', 'registered']).default('member'),
      next,
    })
    .strict(),
  z.object({ ...base, type: z.literal('assign_owner'), ownerId: z.uuid(), next }).strict(),
  z
    .object({ ...base, type: z.literal('notify_owner'), message: z.string().max(2000).optional(), next })
    .strict(),
  z
    .object({ ...base, type: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }).max(2000), next })
    .strict(),
  z.object({ ...base, type: z.literal('exit') }).strict(),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export const STEP_TYPES = [
  'send_email',
  'wait',
  'branch',
  'update_field',
  'adjust_score',
  'change_stage',
  'add_to_campaign',
  'assign_owner',
  'notify_owner',
  'webhook',
  'exit',
] as const satisfies readonly StepType[];

export const goalSchema = z
  .object({
    stages: z
      .array(z.enum(STAGES))
      .max(9)
      .optional()
      .describe('Ends the scenario when the person reaches one of these stages'),
    segmentId: z.uuid().optional().describe('Ends the scenario when the person matches this segment'),
  })
  .strict();
export type Goal = z.infer<typeof goalSchema>;

export const quietHoursSchema = z.object({ start: hhmm, end: hhmm }).strict();
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const scenarioInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    trigger: triggerSchema,
    steps: z.array(stepSchema).min(1).max(100),
    goal: goalSchema.nullable().optional(),
    reentry: z
      .enum(['never', 'after_exit'])
      .default('never')
      .describe('never: a person passes once; after_exit: again once the last pass ended'),
    reentryDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(0)
      .describe('With after_exit: days to wait after the last pass ended'),
    timeZone: z
      .string()
      .max(64)
      .default('Asia/Tokyo')
      .describe('For people without a time zone of their own'),
    quietHours: quietHoursSchema
      .nullable()
      .optional()
      .describe('No mail is sent and no wait ends between start and end (local time)'),
  })
  .strict();
export type ScenarioInput = z.infer<typeof scenarioInputSchema>;

export type ScenarioStatus = 'draft' | 'active' | 'paused' | 'archived';

export interface Scenario extends ScenarioInput {
  id: string;
  status: ScenarioStatus;
  version: number;
  webhookSecret: string;
  createdAt: Date;
  updatedAt: Date;
  activatedAt: Date | null;
}

/** The ids a step may lead to. */
export function successors(step: Step): (string | null)[] {
  switch (step.type) {
    case 'branch':
      return [step.yes ?? null, step.no ?? null];
    case 'exit':
      return [];
    default:
      return [step.next ?? null];
  }
}
