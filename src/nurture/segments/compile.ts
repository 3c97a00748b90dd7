import { assertUnreachable, invalid } from '../../platform/errors.ts';
import {
  type ActivityCondition,
  type CampaignCondition,
  type FieldCondition,
  type Filter,
  fieldDef,
  NEGATIONS,
  type StageChangeCondition,
} from './filter.ts';

export interface CompileOptions {
  workspaceId: number;
  now: Date;
  /** The number of the first parameter ($n). (Default: 1) */
  firstParam?: number;
  /**
   * The filters of the segments the filter names (see expandFilter). A `segment` leaf with no
   * entry here is a 422: compileFilter is pure and cannot read the database.
   */
  segments?: Record<string, Filter>;
  /**
   * `set` (default) compiles sub-conditions to uncorrelated `p.id IN (SELECT …)` sets that
   * PostgreSQL hashes once — the fast plan for counting or listing over all people.
   * `person` compiles them to correlated EXISTS probes on the per-person indexes — the fast
   * plan when the query is restricted to one or a few people.
   */
  strategy?: 'set' | 'person';
}

const DAY_MS = 86_400_000;

class SqlBuilder {
  params: unknown[] = [];
  constructor(
    private readonly first: number,
    readonly opts: CompileOptions,
  ) {}
  /** Adds a parameter and returns its placeholder, with a cast when given. */
  p(value: unknown, cast?: string): string {
    this.params.push(value);
    const n = `$${this.first + this.params.length - 1}`;
    return cast ? `${n}::${cast}` : n;
  }
  get ws(): string {
    this.wsParam ??= this.p(this.opts.workspaceId, 'int');
    return this.wsParam;
  }
  private wsParam?: string;
  daysAgo(days: number): string {
    return this.p(new Date(this.opts.now.getTime() - days * DAY_MS).toISOString(), 'timestamptz');
  }
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function normText(v: unknown): string {
  return String(v).normalize('NFKC').trim();
}

/**
 * Compiles a validated filter (parseFilter) into a SQL condition over `people p` for a WHERE
 * clause, with its parameters numbered from `firstParam`. Every value is a parameter; field
 * names come only from the FIELDS table, never from the input.
 *
 * A field of a person without a value is NULL, and NOT NULL is NULL: under a NOT every
 * condition is made two-valued (`coalesce(…, false)`), so that "not in Tokyo" includes the
 * people with no prefecture. Outside any NOT it is left bare: AND and OR of NULLs select
 * exactly what the two-valued form would (a WHERE drops NULL as it drops false), and a bare
 * `p.industry = ANY(…)` can use an index where the coalesce cannot.
 */
export function compileFilter(filter: Filter, opts: CompileOptions): { sql: string; params: unknown[] } {
  const b = new SqlBuilder(opts.firstParam ?? 1, opts);
  const sql = node(b, filter, new Set(), false);
  return { sql, params: b.params };
}

function node(b: SqlBuilder, f: Filter, seen: Set<string>, underNot: boolean): string {
  if ('and' in f)
    return f.and.length ? `(${f.and.map((x) => node(b, x, seen, underNot)).join(' AND ')})` : 'TRUE';
  if ('or' in f)
    return f.or.length ? `(${f.or.map((x) => node(b, x, seen, underNot)).join(' OR ')})` : 'FALSE';
  if ('not' in f) return `(NOT ${node(b, f.not, seen, true)})`;
  if ('field' in f) return field(b, f, underNot);
  if ('activity' in f) return activity(b, f.activity);
  if ('campaign' in f) return campaign(b, f.campaign);
  if ('stageChange' in f) return stageChange(b, f.stageChange);
  if ('list' in f) return memberOf(b, 'segment_members', 'person_id', `segment_id = ${b.p(f.list, 'uuid')}`);
  if ('segment' in f) {
    const inner = b.opts.segments?.[f.segment];
    if (!inner) throw invalid('filter.segment', `segment ${f.segment} is unknown or was not expanded`);
    if (seen.has(f.segment)) throw invalid('filter.segment', 'segments refer to each other in a cycle');
    const next = new Set(seen).add(f.segment);
    return node(b, inner, next, underNot);
  }
  return assertUnreachable(f);
}

/** `p.id IN (set)` or a correlated EXISTS, per strategy; never NULL (two-valued logic under NOT). */
function memberOf(b: SqlBuilder, table: string, personColumn: string, where: string): string {
  if (b.opts.strategy === 'person')
    return `EXISTS (SELECT 1 FROM ${table} WHERE ${personColumn} = p.id AND ${where})`;
  return `p.id IN (SELECT ${personColumn} FROM ${table} WHERE ${personColumn} IS NOT NULL AND ${where})`;
}

function field(b: SqlBuilder, f: FieldCondition, underNot: boolean): string {
  const negated = NEGATIONS[f.op];
  if (negated) return `(NOT ${field(b, { ...f, op: negated }, true)})`;
  const twoValued = (sql: string) => (underNot ? `coalesce(${sql}, false)` : sql);
  const def = fieldDef(f.field);
  if (!def) throw invalid('filter.field', `unknown field "${f.field}"`);
  if (def.kind === 'custom') {
    const key = b.p(def.key);
    const numeric =
      ['gt', 'gte', 'lt', 'lte'].includes(f.op) || (f.op === 'eq' && typeof f.value === 'number');
    const col = numeric
      ? `(CASE WHEN (p.custom_fields->>${key}) ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN (p.custom_fields->>${key})::numeric END)`
      : `(p.custom_fields->>${key})`;
    return twoValued(
      predicate(b, 'text', col, f.op, typeof f.value === 'boolean' ? String(f.value) : f.value, numeric),
    );
  }
  const pred = predicate(b, def.kind, def.sql, f.op, f.value, def.kind === 'number');
  if (def.table === 'person') return twoValued(pred);
  // Account fields: the set of matching accounts, hashed once (or probed by primary key).
  if (b.opts.strategy === 'person')
    return `EXISTS (SELECT 1 FROM accounts a WHERE a.id = p.account_id AND ${pred})`;
  return twoValued(
    `p.account_id IN (SELECT a.id FROM accounts a WHERE a.workspace_id = ${b.ws} AND ${pred})`,
  );
}

function predicate(
  b: SqlBuilder,
  kind: string,
  col: string,
  op: string,
  value: unknown,
  numeric: boolean,
): string {
  const textual = kind === 'text' && !numeric;
  const lhs = textual ? `lower(${col})` : col;
  // Number fields are integer columns: an integer compares as one (a cast of every row to
  // numeric cost a count over 1M people about a tenth of its time); a fraction as numeric.
  const number = (v: unknown) => {
    const n = Number(v);
    return kind === 'number' && Number.isInteger(n) && Math.abs(n) < 2 ** 31
      ? b.p(n, 'int')
      : b.p(n, 'numeric');
  };
  const val = (v: unknown) => (numeric ? number(v) : textual ? b.p(normText(v).toLowerCase()) : b.p(v));
  switch (op) {
    case 'eq':
      return `${lhs} = ${val(value)}`;
    case 'in': {
      const list = (value as unknown[]).map((v) => (textual ? normText(v).toLowerCase() : String(v)));
      return `${lhs} = ANY(${b.p(list, kind === 'uuid' ? 'uuid[]' : 'text[]')})`;
    }
    case 'contains':
      return `${lhs} LIKE ${b.p(`%${likeEscape(normText(value).toLowerCase())}%`)}`;
    case 'startsWith':
      return `${lhs} LIKE ${b.p(`${likeEscape(normText(value).toLowerCase())}%`)}`;
    case 'endsWith':
      return `${lhs} LIKE ${b.p(`%${likeEscape(normText(value).toLowerCase())}`)}`;
    case 'isNotEmpty':
      return kind === 'text' ? `coalesce(${col}, '') <> ''` : `${col} IS NOT NULL`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (kind === 'grade') {
        // A is the best grade: "at least B" is A or B, which sorts at or before B.
        return `${col} ${op === 'gte' ? '<=' : '>='} ${b.p(value)}`;
      }
      const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return `${lhs} ${sym} ${val(value)}`;
    }
    case 'between': {
      const [lo, hi] = value as [number, number];
      return `${col} BETWEEN ${number(lo)} AND ${number(hi)}`;
    }
    case 'before':
      return `${col} < ${b.p(String(value), 'timestamptz')}`;
    case 'after':
      return `${col} >= ${b.p(String(value), 'timestamptz')}`;
    case 'withinDays':
      return `${col} >= ${b.daysAgo(Number(value))}`;
    case 'olderThanDays':
      return `${col} < ${b.daysAgo(Number(value))}`;
    default:
      throw invalid('filter.op', `unknown operator "${op}"`);
  }
}

/** Conditions on `activities a` shared by both strategies. */
function activityWhere(b: SqlBuilder, c: ActivityCondition): string[] {
  const w: string[] = [];
  if (c.type !== undefined) {
    const types = Array.isArray(c.type) ? c.type : [c.type];
    w.push(types.length === 1 ? `a.type = ${b.p(types[0])}` : `a.type = ANY(${b.p(types, 'text[]')})`);
  }
  if (c.withinDays !== undefined) w.push(`a.occurred_at >= ${b.daysAgo(c.withinDays)}`);
  if (c.urlContains !== undefined)
    w.push(`(a.properties->>'url') LIKE ${b.p(`%${likeEscape(c.urlContains.trim())}%`)}`);
  if (c.campaignId !== undefined) w.push(`a.campaign_id = ${b.p(c.campaignId, 'uuid')}`);
  if (c.templateId !== undefined) w.push(`(a.properties->>'templateId') = ${b.p(c.templateId)}`);
  return w;
}

/**
 * Activity history: did it at least `min` (default 1) and at most `max` times. The set
 * strategy reads activities_ws_type_time_idx (workspace, type, occurred_at) INCLUDE person_id.
 */
function activity(b: SqlBuilder, c: ActivityCondition): string {
  const min = c.min ?? 1;
  const max = c.max;
  if (min <= 0 && max === undefined) return 'TRUE';
  if (b.opts.strategy === 'person') {
    const where = ['a.person_id = p.id', ...activityWhere(b, c)].join(' AND ');
    if (max === undefined && min === 1) return `EXISTS (SELECT 1 FROM activities a WHERE ${where})`;
    const limit = max === undefined ? min : max + 1;
    const n = `(SELECT count(*) FROM (SELECT 1 FROM activities a WHERE ${where} LIMIT ${limit}) s)`;
    return max === undefined ? `${n} >= ${min}` : `${n} BETWEEN ${min} AND ${max}`;
  }
  const where = [`a.workspace_id = ${b.ws}`, 'a.person_id IS NOT NULL', ...activityWhere(b, c)].join(' AND ');
  const base = `SELECT a.person_id FROM activities a WHERE ${where}`;
  if (max === undefined) {
    return min === 1
      ? `p.id IN (${base})`
      : `p.id IN (${base} GROUP BY a.person_id HAVING count(*) >= ${min})`;
  }
  if (min <= 0) return `(NOT p.id IN (${base} GROUP BY a.person_id HAVING count(*) > ${max}))`;
  return `p.id IN (${base} GROUP BY a.person_id HAVING count(*) BETWEEN ${min} AND ${max})`;
}

function campaign(b: SqlBuilder, c: CampaignCondition): string {
  const where = [`campaign_id = ${b.p(c.id, 'uuid')}`];
  if (c.status?.length) where.push(`status = ANY(${b.p(c.status, 'text[]')})`);
  return memberOf(b, 'campaign_members', 'person_id', where.join(' AND '));
}

/** Entered a stage (ever, or within N days), from the stage_transitions log (stage_transitions_to_at_idx). */
function stageChange(b: SqlBuilder, c: StageChangeCondition): string {
  const where = [`workspace_id = ${b.ws}`, `to_stage = ${b.p(c.to)}`];
  if (c.withinDays !== undefined) where.push(`at >= ${b.daysAgo(c.withinDays)}`);
  return memberOf(b, 'stage_transitions', 'person_id', where.join(' AND '));
}
