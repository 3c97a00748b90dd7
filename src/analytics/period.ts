import { invalid } from '../platform/errors.ts';
import { type Breakdown, isBreakdown } from './model.ts';

/** Reports count days and months in the team's time zone (Japan). */
export const REPORT_TZ = 'Asia/Tokyo';

/** The longest period a report covers. */
export const MAX_PERIOD_YEARS = 5;

export interface Period {
  /** Inclusive first day, YYYY-MM-DD. */
  from: string;
  /** Inclusive last day, YYYY-MM-DD. */
  to: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(name: string, value: string): string {
  if (!DATE_RE.test(value)) throw invalid(name, 'must be a date YYYY-MM-DD');
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw invalid(name, 'is not a calendar date');
  return value;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Today in the report time zone. */
export function todayIn(now: Date, tz = REPORT_TZ): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * Validates a period: both dates real, from ≤ to, at most five years. Without from/to, the last
 * `defaultDays` days up to today. Throws 422 naming the parameter.
 */
export function parsePeriod(q: { from?: string; to?: string }, now: Date, defaultDays = 365): Period {
  const to = q.to ? parseDay('to', q.to) : todayIn(now);
  const from = q.from ? parseDay('from', q.from) : addDays(to, -(defaultDays - 1));
  if (from > to) throw invalid('from', 'must be on or before to');
  const limit = `${Number(from.slice(0, 4)) + MAX_PERIOD_YEARS}${from.slice(4)}`;
  if (to >= limit) throw invalid('to', `the period may cover at most ${MAX_PERIOD_YEARS} years`);
  return { from, to };
}

export function parseBreakdown(value: string | undefined): Breakdown | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isBreakdown(value)) {
    throw invalid(
      'by',
      'must be one of channel, source, campaign, owner, industry, employeeSize, prefecture',
    );
  }
  return value;
}

/**
 * A period cut at month boundaries: the whole months it covers, as [from, until) between first
 * days of months (null when it covers none), and the days before and after them. A period
 * inside one month is all edge.
 */
export function splitAtMonths(period: Period): {
  months: { from: string; until: string } | null;
  edges: Period[];
} {
  const first = period.from.endsWith('-01')
    ? period.from
    : `${addDays(`${period.from.slice(0, 7)}-28`, 7).slice(0, 7)}-01`;
  const after = addDays(period.to, 1);
  const until = after.endsWith('-01') ? after : `${period.to.slice(0, 7)}-01`;
  if (first >= until) return { months: null, edges: [period] };
  const edges: Period[] = [];
  if (period.from < first) edges.push({ from: period.from, to: addDays(first, -1) });
  if (until <= period.to) edges.push({ from: until, to: period.to });
  return { months: { from: first, until }, edges };
}

/** The first day of each month from the month of `from` to the month of `to`. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > end) break;
    out.push(`${key}-01`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
