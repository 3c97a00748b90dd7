import { z } from 'zod';
import { ACTIVITY_TYPES, isActivityType } from '../people/activity-types.ts';
import { AppError, type FieldError } from '../platform/errors.ts';
import {
  FIELD_OPS,
  FIT_FIELDS,
  type FitWhen,
  GRADES,
  type MqlCondition,
  NUMERIC_FIELDS,
  type Rule,
  type RuleSet,
} from './rule-set.ts';

export const POINTS_MIN = -100;
export const POINTS_MAX = 100;
const MAX_RULES = 200;
const MAX_DEPTH = 6;

/** The document a client sends: everything but the version, which the server assigns. */
export interface RuleSetDraft extends Omit<RuleSet, 'version'> {
  version?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Checks a rule set document strictly and returns it typed, or every problem found, each
 * naming the rule (by id) and the field: `rules[pricing-view].when.types[0]`.
 */
export function checkRuleSet(input: unknown): { ok: true; value: RuleSetDraft } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  if (!isObject(input)) return { ok: false, errors: [{ path: '', message: 'the rule set must be a JSON object' }] };

  const halfLife = input.halfLifeDays ?? null;
  if (halfLife !== null && !(isInt(halfLife) && halfLife >= 1 && halfLife <= 3650)) {
    err('halfLifeDays', 'must be a whole number of days between 1 and 3650, or null for no decay');
  }

  const grades = input.fitGrades;
  if (!isObject(grades)) err('fitGrades', 'must be an object {A, B, C} of the lowest fit score for each grade');
  else {
    for (const g of ['A', 'B', 'C'] as const) {
      if (!isInt(grades[g]) || Math.abs(grades[g] as number) > 10_000) err(`fitGrades.${g}`, 'must be a whole number');
    }
    if (isInt(grades.A) && isInt(grades.B) && isInt(grades.C) && !(grades.A > grades.B && grades.B > grades.C)) {
      err('fitGrades', 'cut-offs must descend: A > B > C');
    }
  }

  checkMql(input.mql, 'mql', 0, err);

  if (!Array.isArray(input.rules)) err('rules', 'must be a list of rules');
  else {
    if (input.rules.length > MAX_RULES) err('rules', `at most ${MAX_RULES} rules`);
    const seen = new Set<string>();
    input.rules.forEach((rule, i) => {
      const id = isObject(rule) && typeof rule.id === 'string' && rule.id ? rule.id : String(i);
      checkRule(rule, `rules[${id}]`, err);
      if (seen.has(id)) err(`rules[${id}].id`, 'duplicate rule id');
      seen.add(id);
    });
  }
  if (input.version !== undefined && input.version !== null && !isInt(input.version)) err('version', 'must be a number');

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...(isInt(input.version) ? { version: input.version } : {}),
      halfLifeDays: halfLife as number | null,
      fitGrades: { A: (grades as Json).A as number, B: (grades as Json).B as number, C: (grades as Json).C as number },
      mql: input.mql as MqlCondition,
      rules: (input.rules as Rule[]).map(cleanRule),
    },
  };
}

/** Throws the 422 problem for an invalid rule set. */
export function parseRuleSet(input: unknown): RuleSetDraft {
  const r = checkRuleSet(input);
  if (r.ok) return r.value;
  const first = r.errors[0];
  throw new AppError(422, 'validation', 'Invalid rule set', `${first.path}: ${first.message}`, r.errors);
}

const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function checkRule(rule: unknown, at: string, err: (p: string, m: string) => void): void {
  if (!isObject(rule)) return err(at, 'must be an object');
  if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) {
    err(`${at}.id`, 'must be 1–64 lowercase letters, digits, "-" or "_"');
  }
  if (typeof rule.name !== 'string' || rule.name.trim() === '' || rule.name.length > 200) {
    err(`${at}.name`, 'must be a non-empty name of at most 200 characters');
  }
  if (!isInt(rule.points) || rule.points < POINTS_MIN || rule.points > POINTS_MAX) {
    err(`${at}.points`, `must be a whole number between ${POINTS_MIN} and ${POINTS_MAX}`);
  } else if (rule.points === 0) err(`${at}.points`, 'a rule worth 0 points has no effect');
  if (rule.enabled !== undefined && typeof rule.enabled !== 'boolean') err(`${at}.enabled`, 'must be true or false');
  const allowed = new Set(['id', 'name', 'kind', 'when', 'points', 'enabled']);
  if (rule.kind === 'fit') {
    checkFitWhen(rule.when, `${at}.when`, 0, err);
    for (const key of ['maxCount', 'perPeriod', 'halfLifeDays']) {
      if (rule[key] !== undefined && rule[key] !== null) err(`${at}.${key}`, 'caps and decay apply to engagement rules only');
    }
  } else if (rule.kind === 'engagement') {
    for (const key of ['maxCount', 'perPeriod', 'halfLifeDays']) allowed.add(key);
    checkEngagementWhen(rule.when, `${at}.when`, err);
    checkCaps(rule, at, err);
  } else {
    err(`${at}.kind`, 'must be "fit" or "engagement"');
  }
  for (const key of Object.keys(rule)) {
    if (!allowed.has(key) && !['maxCount', 'perPeriod', 'halfLifeDays'].includes(key)) err(`${at}.${key}`, 'unknown field');
  }
}

function checkCaps(rule: Json, at: string, err: (p: string, m: string) => void): void {
  const max = rule.maxCount;
  if (max !== undefined && max !== null && !(isInt(max) && max >= 1 && max <= 10_000)) {
    err(`${at}.maxCount`, 'must be a whole number from 1 to 10000, or absent for no cap');
  }
  const per = rule.perPeriod;
  if (per !== undefined && per !== null) {
    if (!isObject(per)) err(`${at}.perPeriod`, 'must be {max, days}');
    else {
      if (!(isInt(per.max) && per.max >= 1 && per.max <= 10_000)) err(`${at}.perPeriod.max`, 'must be a whole number from 1 to 10000');
      if (!(isInt(per.days) && per.days >= 1 && per.days <= 3650)) err(`${at}.perPeriod.days`, 'must be a whole number of days from 1 to 3650');
      if (isInt(max) && max >= 1 && isInt(per.max) && per.max > max) {
        err(`${at}.perPeriod.max`, `cannot exceed maxCount (${max}): the period cap would never apply`);
      }
    }
  }
  const hl = rule.halfLifeDays;
  if (hl !== undefined && hl !== null && !(isInt(hl) && hl >= 1 && hl <= 3650)) {
    err(`${at}.halfLifeDays`, 'must be a whole number of days from 1 to 3650, null for no decay, or absent to inherit');
  }
}

function checkStrings(v: unknown, at: string, err: (p: string, m: string) => void, min = 1): v is string[] {
  if (!Array.isArray(v) || v.length < min || v.length > 200 || v.some((s) => typeof s !== 'string' || s.trim() === '' || s.length > 200)) {
    err(at, `must be a list of ${min}–200 non-empty texts`);
    return false;
  }
  return true;
}

function checkFitWhen(when: unknown, at: string, depth: number, err: (p: string, m: string) => void): void {
  if (!isObject(when)) return err(at, 'must be a condition: {field, op, …}, {all: […]} or {any: […]}');
  if (depth > MAX_DEPTH) return err(at, `conditions nest at most ${MAX_DEPTH} deep`);
  for (const group of ['all', 'any'] as const) {
    if (group in when) {
      const list = when[group];
      if (!Array.isArray(list) || list.length === 0) return err(`${at}.${group}`, 'must be a non-empty list of conditions');
      list.forEach((c, i) => checkFitWhen(c, `${at}.${group}[${i}]`, depth + 1, err));
      return;
    }
  }
  const field = when.field;
  const custom = typeof field === 'string' && /^customFields\.[A-Za-z0-9_\-]{1,100}$/.test(field);
  if (typeof field !== 'string' || !((FIT_FIELDS as readonly string[]).includes(field) || custom)) {
    return err(`${at}.field`, `unknown field ${JSON.stringify(field)}; use one of ${FIT_FIELDS.join(', ')} or customFields.<key>`);
  }
  const op = when.op;
  if (typeof op !== 'string' || !(FIELD_OPS as readonly string[]).includes(op)) {
    return err(`${at}.op`, `must be one of ${FIELD_OPS.join(', ')}`);
  }
  if (op === 'between') {
    if (!NUMERIC_FIELDS.includes(field) && !custom) return err(`${at}.op`, `"between" needs a numeric field, not ${field}`);
    const { min, max } = when;
    if (min === undefined && max === undefined) return err(`${at}.min`, 'give min, max or both');
    if (min !== undefined && typeof min !== 'number') err(`${at}.min`, 'must be a number');
    if (max !== undefined && typeof max !== 'number') err(`${at}.max`, 'must be a number');
    if (typeof min === 'number' && typeof max === 'number' && min > max) err(`${at}.max`, 'must not be below min');
  } else if (op === 'in' || op === 'notIn' || op === 'contains' || op === 'notContains') {
    if (NUMERIC_FIELDS.includes(field)) return err(`${at}.op`, `use "between" for the numeric field ${field}`);
    checkStrings(when.values, `${at}.values`, err);
  }
}

function checkEngagementWhen(when: unknown, at: string, err: (p: string, m: string) => void): void {
  if (!isObject(when)) return err(at, 'must be {types: […], urls?, asset?, campaignId?, properties?, withinDays?}');
  const known = new Set(['types', 'urls', 'asset', 'campaignId', 'properties', 'withinDays']);
  for (const key of Object.keys(when)) if (!known.has(key)) err(`${at}.${key}`, 'unknown field');
  if (!Array.isArray(when.types) || when.types.length === 0) {
    err(`${at}.types`, `must list at least one activity type (${ACTIVITY_TYPES.join(', ')})`);
  } else {
    when.types.forEach((t, i) => {
      if (typeof t !== 'string' || !isActivityType(t)) err(`${at}.types[${i}]`, `unknown activity type ${JSON.stringify(t)}`);
    });
  }
  if (when.urls !== undefined) checkStrings(when.urls, `${at}.urls`, err);
  if (when.asset !== undefined && (typeof when.asset !== 'string' || !when.asset.trim())) err(`${at}.asset`, 'must be a non-empty text');
  if (when.campaignId !== undefined && !z.uuid().safeParse(when.campaignId).success) err(`${at}.campaignId`, 'must be a campaign id');
  if (when.properties !== undefined) {
    if (!isObject(when.properties) || Object.keys(when.properties).length === 0) err(`${at}.properties`, 'must be a non-empty object of texts');
    else {
      for (const [k, v] of Object.entries(when.properties)) {
        if (!/^[A-Za-z0-9_\-]{1,100}$/.test(k)) err(`${at}.properties.${k}`, 'property names are letters, digits, "-" or "_"');
        else if (typeof v !== 'string') err(`${at}.properties.${k}`, 'must be a text');
      }
    }
  }
  const w = when.withinDays;
  if (w !== undefined && !(isInt(w) && w >= 1 && w <= 3650)) err(`${at}.withinDays`, 'must be a whole number of days from 1 to 3650');
}

function checkMql(c: unknown, at: string, depth: number, err: (p: string, m: string) => void): void {
  if (!isObject(c)) return err(at, 'must be a condition, e.g. {"all": [{"fitGradeAtLeast": "B"}, {"engagementAtLeast": 60}]}');
  if (depth > MAX_DEPTH) return err(at, `conditions nest at most ${MAX_DEPTH} deep`);
  const keys = Object.keys(c);
  if (keys.length !== 1) return err(at, 'must have exactly one of all, any, fitGradeAtLeast, fitScoreAtLeast, engagementAtLeast');
  const [key] = keys;
  const v = c[key];
  switch (key) {
    case 'all':
    case 'any':
      if (!Array.isArray(v) || v.length === 0) return err(`${at}.${key}`, 'must be a non-empty list of conditions');
      v.forEach((x, i) => checkMql(x, `${at}.${key}[${i}]`, depth + 1, err));
      return;
    case 'fitGradeAtLeast':
      if (typeof v !== 'string' || !(GRADES as readonly string[]).includes(v)) err(`${at}.${key}`, 'must be A, B, C or D');
      return;
    case 'fitScoreAtLeast':
    case 'engagementAtLeast':
      if (!isInt(v) || Math.abs(v) > 100_000) err(`${at}.${key}`, 'must be a whole number');
      return;
    default:
      err(`${at}.${key}`, 'unknown condition');
  }
}

/** Keeps only the fields that mean something, so equal rule sets compare equal. */
function cleanRule(rule: Rule): Rule {
  const base = { id: rule.id, name: rule.name.trim(), kind: rule.kind, points: rule.points, ...(rule.enabled === false ? { enabled: false } : {}) };
  if (rule.kind === 'fit') return { ...base, kind: 'fit', when: rule.when as FitWhen };
  return {
    ...base,
    kind: 'engagement',
    when: rule.when,
    ...(rule.maxCount != null ? { maxCount: rule.maxCount } : {}),
    ...(rule.perPeriod != null ? { perPeriod: { max: rule.perPeriod.max, days: rule.perPeriod.days } } : {}),
    ...(rule.halfLifeDays !== undefined ? { halfLifeDays: rule.halfLifeDays } : {}),
  };
}
