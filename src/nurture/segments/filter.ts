import { z } from 'zod';
import { STAGES } from '../../lifecycle/stages.ts';
import { ACTIVITY_TYPES } from '../../people/activity-types.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';

/**
 * The one filter language (segments, the people query, scenario branches): a JSON tree of
 * and/or/not over leaves. Pure types and validation; compile.ts turns it into SQL.
 */
export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | FieldCondition
  | { activity: ActivityCondition }
  | { campaign: CampaignCondition }
  | { stageChange: StageChangeCondition }
  | { segment: string }
  /** Membership of a static list (what a static segment expands to). */
  | { list: string };

export interface FieldCondition {
  field: string;
  op: string;
  value?: unknown;
}

/** "Did X at least `min` (default 1) and at most `max` times within `withinDays`". */
export interface ActivityCondition {
  type?: string | string[];
  urlContains?: string;
  campaignId?: string;
  templateId?: string;
  withinDays?: number;
  min?: number;
  max?: number;
}

export interface CampaignCondition {
  id: string;
  status?: string[];
}

export interface StageChangeCondition {
  to: string;
  withinDays?: number;
}

export type FieldKind = 'text' | 'number' | 'date' | 'bool' | 'stage' | 'uuid' | 'grade';

export interface FieldDef {
  kind: FieldKind;
  /** SQL over `people p` (person fields) or `accounts a` (account fields). */
  sql: string;
  table: 'person' | 'account';
}

const text = (sql: string, table: 'person' | 'account' = 'person'): FieldDef => ({
  kind: 'text',
  sql,
  table,
});
const num = (sql: string, table: 'person' | 'account' = 'person'): FieldDef => ({
  kind: 'number',
  sql,
  table,
});
const date = (sql: string): FieldDef => ({ kind: 'date', sql, table: 'person' });

/** The fields a filter may name (API.md person field names, plus `account.*` and `customFields.*`). */
export const FIELDS: Record<string, FieldDef> = {
  email: text('p.email'),
  lastName: text('p.last_name'),
  firstName: text('p.first_name'),
  lastNameKana: text('p.last_name_kana'),
  firstNameKana: text('p.first_name_kana'),
  company: text('p.company'),
  department: text('p.department'),
  title: text('p.title'),
  phone: text('p.phone'),
  industry: text('p.industry'),
  employeeCount: num('p.employee_count'),
  prefecture: text('p.prefecture'),
  country: text('p.country'),
  source: text('p.source'),
  channel: text('p.channel'),
  stage: { kind: 'stage', sql: 'p.stage', table: 'person' },
  ownerId: { kind: 'uuid', sql: 'p.owner_id', table: 'person' },
  accountId: { kind: 'uuid', sql: 'p.account_id', table: 'person' },
  fitGrade: { kind: 'grade', sql: 'p.fit_grade', table: 'person' },
  fitScore: num('p.fit_score'),
  engagementScore: num('p.engagement_score'),
  consent: { kind: 'bool', sql: 'p.consent', table: 'person' },
  unsubscribed: { kind: 'bool', sql: '(p.unsubscribed_at IS NOT NULL)', table: 'person' },
  bounced: { kind: 'bool', sql: '(p.bounced_at IS NOT NULL)', table: 'person' },
  createdAt: date('p.created_at'),
  updatedAt: date('p.updated_at'),
  stageChangedAt: date('p.stage_changed_at'),
  'account.name': text('a.name', 'account'),
  'account.domain': text('a.domain', 'account'),
  'account.industry': text('a.industry', 'account'),
  'account.prefecture': text('a.prefecture', 'account'),
  'account.employeeCount': num('a.employee_count', 'account'),
  'account.ownerId': { kind: 'uuid', sql: 'a.owner_id', table: 'account' },
};

/** `customFields.<key>`: compared as text, or as a number for numeric operators. */
export const CUSTOM_FIELD = /^customFields\.([A-Za-z0-9_\-\u3040-\u30ff\u4e00-\u9fff]{1,64})$/;

export const OPS_BY_KIND: Record<FieldKind | 'custom', readonly string[]> = {
  text: [
    'eq',
    'neq',
    'in',
    'notIn',
    'contains',
    'notContains',
    'startsWith',
    'endsWith',
    'isEmpty',
    'isNotEmpty',
  ],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'],
  date: ['before', 'after', 'withinDays', 'olderThanDays', 'isEmpty', 'isNotEmpty'],
  bool: ['eq'],
  stage: ['eq', 'neq', 'in', 'notIn'],
  uuid: ['eq', 'neq', 'in', 'notIn', 'isEmpty', 'isNotEmpty'],
  grade: ['eq', 'neq', 'in', 'notIn', 'gte', 'lte', 'isEmpty', 'isNotEmpty'],
  custom: [
    'eq',
    'neq',
    'in',
    'notIn',
    'contains',
    'notContains',
    'startsWith',
    'endsWith',
    'gt',
    'gte',
    'lt',
    'lte',
    'isEmpty',
    'isNotEmpty',
  ],
};

/** Operators that are the negation of another (blank values match them: "company is not X" includes blanks). */
export const NEGATIONS: Record<string, string> = {
  neq: 'eq',
  notIn: 'in',
  notContains: 'contains',
  isEmpty: 'isNotEmpty',
};

export const CAMPAIGN_STATUSES = ['member', 'invited', 'registered', 'attended', 'no_show'] as const;
export const GRADES = ['A', 'B', 'C', 'D'] as const;

const MAX_DEPTH = 12;
const MAX_NODES = 200;

const uuid = z.uuid();
const shortText = z.string().trim().min(1).max(500);
const days = z.number().int().min(1).max(3650);
const count = z.number().int().min(0).max(100_000);

class Collector {
  errors: FieldError[] = [];
  nodes = 0;
  add(path: string, message: string) {
    if (this.errors.length < 20) this.errors.push({ path, message });
  }
}

function check<T>(c: Collector, schema: z.ZodType<T>, value: unknown, path: string): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const sub = issue.path.length ? `${path}.${issue.path.join('.')}` : path;
  c.add(sub, issue.message);
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The field definition for a name (including `customFields.*`), or undefined. */
export function fieldDef(
  name: string,
): FieldDef | { kind: 'custom'; key: string; table: 'person' } | undefined {
  if (Object.hasOwn(FIELDS, name)) return FIELDS[name];
  const m = CUSTOM_FIELD.exec(name);
  return m ? { kind: 'custom', key: m[1], table: 'person' } : undefined;
}

function valueSchema(kind: FieldKind | 'custom', op: string): z.ZodType<unknown> | null {
  if (op === 'isEmpty' || op === 'isNotEmpty') return null;
  if (op === 'in' || op === 'notIn') {
    const item =
      kind === 'stage'
        ? z.enum(STAGES)
        : kind === 'grade'
          ? z.enum(GRADES)
          : kind === 'uuid'
            ? uuid
            : shortText;
    return z.array(item).min(1).max(1000);
  }
  if (op === 'between') return z.tuple([z.number(), z.number()]);
  if (op === 'withinDays' || op === 'olderThanDays') return days;
  if (op === 'before' || op === 'after') return z.iso.date().or(z.iso.datetime({ offset: true }));
  switch (kind) {
    case 'number':
      return z.number();
    case 'bool':
      return z.boolean();
    case 'stage':
      return z.enum(STAGES);
    case 'grade':
      return z.enum(GRADES);
    case 'uuid':
      return uuid;
    case 'custom':
      return ['gt', 'gte', 'lt', 'lte'].includes(op) ? z.number() : shortText.or(z.number()).or(z.boolean());
    default:
      return shortText;
  }
}

function validateNode(c: Collector, input: unknown, path: string, depth: number): Filter | undefined {
  if (++c.nodes > MAX_NODES) {
    c.add(path, `a filter may have at most ${MAX_NODES} conditions`);
    return undefined;
  }
  if (depth > MAX_DEPTH) {
    c.add(path, `a filter may nest at most ${MAX_DEPTH} levels`);
    return undefined;
  }
  if (!isObject(input)) {
    c.add(path, 'expected a condition object');
    return undefined;
  }
  const keys = Object.keys(input);
  if ('and' in input || 'or' in input) {
    const key = 'and' in input ? 'and' : 'or';
    if (keys.length !== 1) c.add(path, `"${key}" must be the only key of its object`);
    const list = input[key];
    if (!Array.isArray(list) || list.length === 0) {
      c.add(`${path}.${key}`, 'expected a non-empty list of conditions');
      return undefined;
    }
    const children = list.map((child, i) => validateNode(c, child, `${path}.${key}.${i}`, depth + 1));
    return (key === 'and' ? { and: children } : { or: children }) as Filter;
  }
  if ('not' in input) {
    if (keys.length !== 1) c.add(path, '"not" must be the only key of its object');
    const child = validateNode(c, input.not, `${path}.not`, depth + 1);
    return child && { not: child };
  }
  if ('field' in input) return validateField(c, input, path);
  if ('activity' in input) {
    const v = check(
      c,
      z.strictObject({
        type: z
          .enum(ACTIVITY_TYPES)
          .or(z.array(z.enum(ACTIVITY_TYPES)).min(1).max(20))
          .optional(),
        urlContains: shortText.optional(),
        campaignId: uuid.optional(),
        templateId: uuid.optional(),
        withinDays: days.optional(),
        min: count.optional(),
        max: count.optional(),
      }),
      input.activity,
      `${path}.activity`,
    );
    if (v && v.max !== undefined && v.max < (v.min ?? 1) && v.min !== undefined)
      c.add(`${path}.activity.max`, 'must be at least min');
    return v && { activity: v };
  }
  if ('campaign' in input) {
    const v = check(
      c,
      z.strictObject({ id: uuid, status: z.array(z.enum(CAMPAIGN_STATUSES)).min(1).optional() }),
      input.campaign,
      `${path}.campaign`,
    );
    return v && { campaign: v };
  }
  if ('stageChange' in input) {
    const v = check(
      c,
      z.strictObject({ to: z.enum(STAGES), withinDays: days.optional() }),
      input.stageChange,
      `${path}.stageChange`,
    );
    return v && { stageChange: v };
  }
  if ('segment' in input) {
    const v = check(c, uuid, input.segment, `${path}.segment`);
    return v === undefined ? undefined : { segment: v };
  }
  if ('list' in input) {
    const v = check(c, uuid, input.list, `${path}.list`);
    return v === undefined ? undefined : { list: v };
  }
  c.add(path, 'expected one of: and, or, not, field, activity, campaign, stageChange, segment');
  return undefined;
}

function validateField(c: Collector, input: Record<string, unknown>, path: string): Filter | undefined {
  for (const k of Object.keys(input))
    if (!['field', 'op', 'value'].includes(k)) c.add(`${path}.${k}`, 'unknown key');
  if (typeof input.field !== 'string') {
    c.add(`${path}.field`, 'expected a field name');
    return undefined;
  }
  const def = fieldDef(input.field);
  if (!def) {
    c.add(`${path}.field`, `unknown field "${input.field.slice(0, 80)}"`);
    return undefined;
  }
  const ops = OPS_BY_KIND[def.kind];
  if (typeof input.op !== 'string' || !ops.includes(input.op)) {
    c.add(`${path}.op`, `expected one of ${ops.join(', ')} for ${input.field}`);
    return undefined;
  }
  const schema = valueSchema(def.kind, input.op);
  if (!schema) return { field: input.field, op: input.op };
  const value = check(c, schema, input.value, `${path}.value`);
  if (value === undefined) return undefined;
  if (input.op === 'between' && Array.isArray(value) && value[0] > value[1])
    c.add(`${path}.value`, 'the lower bound must not exceed the upper bound');
  return { field: input.field, op: input.op, value };
}

/** Validates an untrusted filter; throws a 422 naming every bad path (e.g. `filter.and.1.field`). */
export function parseFilter(input: unknown, path = 'filter'): Filter {
  const c = new Collector();
  const f = validateNode(c, input, path, 0);
  if (c.errors.length || !f) {
    const errors = c.errors.length ? c.errors : [{ path, message: 'invalid filter' }];
    throw new AppError(
      422,
      'validation',
      'Invalid request',
      `${errors[0].path}: ${errors[0].message}`,
      errors,
    );
  }
  return f;
}

/** The segment ids a filter refers to (direct references only). */
export function segmentRefs(f: Filter): string[] {
  if ('and' in f) return f.and.flatMap(segmentRefs);
  if ('or' in f) return f.or.flatMap(segmentRefs);
  if ('not' in f) return segmentRefs(f.not);
  if ('segment' in f) return [f.segment];
  return [];
}
