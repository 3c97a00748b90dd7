/** The scenario document as the API takes and gives it (src/nurture/scenarios/model.ts). */
export type Trigger =
  | { type: 'form_submitted'; formId?: string | null }
  | { type: 'segment_entered'; segmentId: string; includeExisting?: boolean }
  | { type: 'stage_changed'; to: string; from?: string | null }
  | { type: 'score_crossed'; score: 'engagement' | 'fit'; threshold: number }
  | { type: 'date_field'; field: string; offsetDays: number }
  | { type: 'manual' };

export type BranchCondition =
  | { kind: 'segment'; segmentId: string }
  | { kind: 'filter'; filter: Record<string, unknown> }
  | { kind: 'opened' | 'clicked'; withinHours: number; stepId?: string };

interface Base {
  id: string;
  name?: string;
}

export type Step = Base &
  (
    | { type: 'send_email'; templateId: string; next?: string | null }
    | {
        type: 'wait';
        duration?: { amount: number; unit: 'minutes' | 'hours' | 'days' | 'weeks' };
        until?: { weekdays?: number[]; time: string };
        next?: string | null;
      }
    | { type: 'branch'; condition: BranchCondition; yes?: string | null; no?: string | null }
    | { type: 'update_field'; field: string; value: string | number | boolean | null; next?: string | null }
    | { type: 'adjust_score'; points: number; next?: string | null }
    | { type: 'change_stage'; stage: string; next?: string | null }
    | {
        type: 'add_to_campaign';
        campaignId: string;
        status?: 'member' | 'invited' | 'registered';
        next?: string | null;
      }
    | { type: 'assign_owner'; ownerId: string; next?: string | null }
    | { type: 'notify_owner'; message?: string; next?: string | null }
    | { type: 'webhook'; url: string; next?: string | null }
    | { type: 'exit' }
  );

export type StepType = Step['type'];

export const STEP_TYPES: StepType[] = [
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
];

export const TRIGGER_TYPES: Trigger['type'][] = [
  'form_submitted',
  'segment_entered',
  'stage_changed',
  'score_crossed',
  'date_field',
  'manual',
];

export const STAGES = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'lost', 'recycled', 'disqualified'];

export interface ScenarioDoc {
  name: string;
  description?: string | null;
  trigger: Trigger;
  steps: Step[];
  goal?: { stages?: string[]; segmentId?: string } | null;
  reentry: 'never' | 'after_exit';
  reentryDays: number;
  timeZone: string;
  quietHours?: { start: string; end: string } | null;
}

export interface StepStats {
  stepId: string;
  current: number;
  reached: number;
  outcomes: Record<string, number>;
}

export interface Scenario extends ScenarioDoc {
  id: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  version: number;
  webhookSecret?: string;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  stats?: { totals: Record<string, number>; steps: StepStats[] };
}

export interface ScenarioListItem extends Omit<Scenario, 'stats'> {
  stats: { active: number; completed: number; total: number };
}

export interface Enrolment {
  enrolmentId: number;
  scenarioId: string;
  scenarioName: string;
  personId: string;
  personName: string | null;
  email: string;
  occurrence: number;
  status: string;
  source: string;
  currentStep: string | null;
  nextStep: string | null;
  nextRunAt: string | null;
  exitReason: string | null;
  enteredAt: string;
  finishedAt: string | null;
}

export interface StepRun {
  seq: number;
  stepId: string;
  stepType: string;
  stepName: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  at: string;
}

/** Options offered by the pickers (templates, segments, forms, campaigns, users). */
export interface Option {
  id: string;
  name: string;
}
