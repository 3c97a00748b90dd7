/*
 * Wall-clock arithmetic in an IANA time zone, without a date library: Intl tells the local
 * parts of an instant; a local time is turned back into an instant by correcting for the
 * offset (twice, so that a DST change between the guess and the answer is handled).
 * Used by the SLA calendar (handoff) and by nurture scenarios (quiet hours, waits).
 */

/** An instant as a wall clock in some zone shows it. `month` is 1–12, `weekday` 0 = Sunday … 6 = Saturday. */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
}

/** A wall-clock time to find the instant of; seconds and milliseconds default to 0, a weekday is ignored. */
export type LocalTime = Pick<LocalParts, 'year' | 'month' | 'day' | 'hour' | 'minute'> &
  Partial<Pick<LocalParts, 'second' | 'ms'>>;

// One formatter per zone: building an Intl.DateTimeFormat is far slower than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is a time zone name this runtime knows (IANA names, case-insensitive, and aliases such as UTC). */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** What the wall clock in `timeZone` shows at the instant `at`. Throws a RangeError for an unknown zone. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    ms: at.getUTCMilliseconds(),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** The calendar date ('YYYY-MM-DD') of an instant in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

const asUtc = (p: LocalTime) =>
  Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second ?? 0, p.ms ?? 0);

/** How far the wall clock in `timeZone` is ahead of UTC at the instant `at` (ms since the epoch). */
const offsetAt = (at: number, timeZone: string) => asUtc(localParts(new Date(at), timeZone)) - at;

/**
 * The instant at which the wall clock in `timeZone` shows `p`. Out-of-range fields roll over
 * (day 32, hour 24) as in Date.UTC. A wall time that a DST change skips or repeats has no single
 * answer, and which one this gives depends on the zone: New York gets its summer-time offset, so
 * 01:30 on the fall-back day is the earlier 05:30Z (EDT) and the skipped 02:30 on the
 * spring-forward day is 06:30Z (which reads 01:30 EST); Berlin gets its winter-time offset.
 */
export function fromLocal(p: LocalTime, timeZone: string): Date {
  const guess = asUtc(p);
  let at = guess - offsetAt(guess, timeZone);
  at = guess - offsetAt(at, timeZone);
  return new Date(at);
}
