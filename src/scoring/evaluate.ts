import {
  type EngagementRule,
  type FieldCondition,
  type FitWhen,
  type Grade,
  GRADES,
  gradeFor,
  halfLifeOf,
  isEnabled,
  type MqlCondition,
  type Rule,
  type RuleSet,
  roundPoints,
} from './rule-set.ts';

/** What the fit rules see of a person. */
export interface PersonFacts {
  email: string;
  industry?: string | null;
  employeeCount?: number | null;
  title?: string | null;
  department?: string | null;
  prefecture?: string | null;
  country?: string | null;
  company?: string | null;
  source?: string | null;
  channel?: string | null;
  customFields?: Record<string, unknown>;
}

/** What the engagement rules see of an activity. */
export interface ActivityFacts {
  type: string;
  occurredAt: Date;
  properties?: Record<string, unknown>;
  campaignId?: string | null;
}

export interface Contribution {
  ruleId: string;
  name: string;
  kind: Rule['kind'];
  points: number;
  count: number;
}

export interface Score {
  fitScore: number;
  fitGrade: Grade;
  engagementScore: number;
  /** Every rule that fired, in rule order; their points add up exactly to the two scores. */
  contributions: Contribution[];
  mql: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Scores one person as of `asOf`: fit from the profile, engagement from the activities up to
 * `asOf` with caps and half-life decay. The reference implementation of the compiled SQL
 * (sql.ts): both must give the same numbers.
 */
export function scorePerson(set: RuleSet, person: PersonFacts, activities: ActivityFacts[], asOf: Date): Score {
  const contributions: Contribution[] = [];
  for (const rule of set.rules) {
    if (!isEnabled(rule)) continue;
    if (rule.kind === 'fit') {
      if (fitHolds(rule.when, person)) contributions.push({ ruleId: rule.id, name: rule.name, kind: 'fit', points: rule.points, count: 1 });
    } else {
      const c = engagementOf(rule, set, activities, asOf);
      if (c.count > 0) contributions.push({ ruleId: rule.id, name: rule.name, kind: 'engagement', ...c });
    }
  }
  const sum = (kind: Rule['kind']) => contributions.filter((c) => c.kind === kind).reduce((s, c) => s + c.points, 0);
  const fitScore = sum('fit');
  const engagementScore = sum('engagement');
  const fitGrade = gradeFor(fitScore, set.fitGrades);
  return { fitScore, fitGrade, engagementScore, contributions, mql: mqlHolds(set.mql, { fitScore, fitGrade, engagementScore }) };
}

function engagementOf(rule: EngagementRule, set: RuleSet, activities: ActivityFacts[], asOf: Date): { points: number; count: number } {
  const now = asOf.getTime();
  let kept = activities
    .filter((a) => a.occurredAt.getTime() <= now && activityMatches(rule, a, now))
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime());
  if (rule.perPeriod) {
    const { max, days } = rule.perPeriod;
    const perBucket = new Map<number, number>();
    kept = kept.filter((a) => {
      const bucket = Math.floor(a.occurredAt.getTime() / 1000 / (days * 86_400));
      const n = (perBucket.get(bucket) ?? 0) + 1;
      perBucket.set(bucket, n);
      return n <= max;
    });
  }
  if (rule.maxCount) kept = kept.slice(0, rule.maxCount);
  const halfLife = halfLifeOf(rule, set);
  let total = 0;
  for (const a of kept) {
    const ageDays = Math.max(0, now - a.occurredAt.getTime()) / DAY_MS;
    total += rule.points * (halfLife === null ? 1 : 0.5 ** (ageDays / halfLife));
  }
  return { points: roundPoints(total), count: kept.length };
}

function activityMatches(rule: EngagementRule, a: ActivityFacts, now: number): boolean {
  const w = rule.when;
  if (!(w.types as string[]).includes(a.type)) return false;
  const props = a.properties ?? {};
  if (w.urls && !w.urls.some((u) => likeContains(textOf(props.url), u))) return false;
  if (w.asset && !likeContains(textOf(props.asset), w.asset)) return false;
  if (w.campaignId && a.campaignId !== w.campaignId) return false;
  if (w.properties) {
    for (const [k, v] of Object.entries(w.properties)) if (textOf(props[k]) !== v) return false;
  }
  if (w.withinDays && a.occurredAt.getTime() <= now - w.withinDays * DAY_MS) return false;
  return true;
}

/** A JSON value as PostgreSQL's `->>` shows it, for scalars; objects and arrays count as missing. */
function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Case-insensitive "contains", where `*` in the pattern matches anything. */
export function likeContains(value: string | null, pattern: string): boolean {
  if (value === null) return false;
  const re = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(re).test(value.toLowerCase());
}

const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

function fieldValue(person: PersonFacts, field: string): string | number | null {
  if (field === 'emailDomain') return person.email.split('@')[1] ?? null;
  if (field.startsWith('customFields.')) return textOf(person.customFields?.[field.slice('customFields.'.length)]);
  const v = (person as unknown as Record<string, unknown>)[field];
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

export function fitHolds(when: FitWhen, person: PersonFacts): boolean {
  if ('all' in when) return when.all.every((c) => fitHolds(c, person));
  if ('any' in when) return when.any.some((c) => fitHolds(c, person));
  return fieldHolds(when, fieldValue(person, when.field));
}

function fieldHolds(c: FieldCondition, value: string | number | null): boolean {
  const text = value === null ? null : String(value);
  const present = text !== null && text.trim() !== '';
  const values = c.values ?? [];
  switch (c.op) {
    case 'exists':
      return present;
    case 'notExists':
      return !present;
    case 'in':
      return present && values.some((v) => v.trim().toLowerCase() === text.trim().toLowerCase());
    case 'notIn':
      return !(present && values.some((v) => v.trim().toLowerCase() === text.trim().toLowerCase()));
    case 'contains':
      return present && values.some((v) => likeContains(text, v));
    case 'notContains':
      return !(present && values.some((v) => likeContains(text, v)));
    case 'between': {
      if (!present || !NUMBER.test(text.trim())) return false;
      const n = Number(text.trim());
      return (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
    }
  }
}

export interface ScoreTotals {
  fitScore: number;
  fitGrade: Grade;
  engagementScore: number;
}

export function mqlHolds(c: MqlCondition, s: ScoreTotals): boolean {
  if ('all' in c) return c.all.every((x) => mqlHolds(x, s));
  if ('any' in c) return c.any.some((x) => mqlHolds(x, s));
  if ('fitGradeAtLeast' in c) return GRADES.indexOf(s.fitGrade) <= GRADES.indexOf(c.fitGradeAtLeast);
  if ('fitScoreAtLeast' in c) return s.fitScore >= c.fitScoreAtLeast;
  return s.engagementScore >= c.engagementAtLeast;
}
