import type { ActivityType } from '../people/activity-types.ts';

/** Fit grades, best first. */
export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];

/** Person fields a fit rule may test; `customFields.<key>` reaches into custom fields. */
export const FIT_FIELDS = [
  'industry',
  'employeeCount',
  'title',
  'department',
  'prefecture',
  'country',
  'company',
  'source',
  'channel',
  'emailDomain',
] as const;
export type FitField = (typeof FIT_FIELDS)[number] | `customFields.${string}`;

export const NUMERIC_FIELDS: readonly string[] = ['employeeCount'];

export const FIELD_OPS = ['in', 'notIn', 'contains', 'notContains', 'between', 'exists', 'notExists'] as const;
export type FieldOp = (typeof FIELD_OPS)[number];

/**
 * One test on a person field. `in`/`notIn` compare whole values, `contains`/`notContains` look
 * for any keyword (both case-insensitive), `between` is an inclusive numeric range (min and/or
 * max). A missing value never satisfies `in`, `contains` or `between`, and always satisfies
 * `notIn` and `notContains`.
 */
export interface FieldCondition {
  field: FitField;
  op: FieldOp;
  values?: string[];
  min?: number;
  max?: number;
}

export type FitWhen = FieldCondition | { all: FitWhen[] } | { any: FitWhen[] };

/**
 * Which activities an engagement rule counts: any of `types`, optionally narrowed by URL
 * patterns (any of; substring match, `*` matches anything), asset name (substring), campaign,
 * exact property values, and a window of the last `withinDays` days.
 */
export interface EngagementWhen {
  types: ActivityType[];
  urls?: string[];
  asset?: string;
  campaignId?: string;
  properties?: Record<string, string>;
  withinDays?: number;
}

interface RuleBase {
  id: string;
  name: string;
  points: number;
  /** A disabled rule stays in the document but never fires. (Default: true) */
  enabled?: boolean;
}

export interface FitRule extends RuleBase {
  kind: 'fit';
  when: FitWhen;
}

export interface EngagementRule extends RuleBase {
  kind: 'engagement';
  when: EngagementWhen;
  /** Counts at most this many matching activities over the whole history (the most recent ones). */
  maxCount?: number | null;
  /** Counts at most `max` matching activities per `days`-day period. */
  perPeriod?: { max: number; days: number } | null;
  /** Overrides the rule set's half-life: a number of days, or null for "never decays". Absent: inherit. */
  halfLifeDays?: number | null;
}

export type Rule = FitRule | EngagementRule;

/** The MQL condition: a tree of and/or over the two axes. */
export type MqlCondition =
  | { all: MqlCondition[] }
  | { any: MqlCondition[] }
  | { fitGradeAtLeast: Grade }
  | { fitScoreAtLeast: number }
  | { engagementAtLeast: number };

export interface RuleSet {
  version: number;
  /** Engagement points halve every this many days; null: no decay. */
  halfLifeDays: number | null;
  /** Lowest fit score for each grade; anything below C is D. */
  fitGrades: { A: number; B: number; C: number };
  mql: MqlCondition;
  rules: Rule[];
}

export function gradeFor(fitScore: number, cutoffs: RuleSet['fitGrades']): Grade {
  if (fitScore >= cutoffs.A) return 'A';
  if (fitScore >= cutoffs.B) return 'B';
  if (fitScore >= cutoffs.C) return 'C';
  return 'D';
}

/** The half-life that applies to a rule, in days, or null for none. */
export function halfLifeOf(rule: EngagementRule, set: Pick<RuleSet, 'halfLifeDays'>): number | null {
  return rule.halfLifeDays !== undefined ? rule.halfLifeDays : set.halfLifeDays;
}

export const isEnabled = (rule: Rule) => rule.enabled !== false;

/** Rounds half away from zero, like PostgreSQL's round(numeric). */
export function roundPoints(x: number): number {
  const r = Math.round(Math.abs(x) * 1e6) / 1e6;
  return Math.sign(x) * Math.round(r);
}
