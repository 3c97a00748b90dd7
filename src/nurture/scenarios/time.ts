import { fromLocal, isValidTimeZone, localParts } from '../../platform/local-time.ts';
import type { QuietHours, Step } from './model.ts';

// Wall-clock arithmetic lives in platform/local-time.ts; these names are what the scenario code uses.
export { isValidTimeZone as isTimeZone, localParts } from '../../platform/local-time.ts';

/** The instant when the wall clock in `tz` shows this local date and time. */
export function zonedTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  tz: string,
): Date {
  return fromLocal({ year, month, day, hour, minute }, tz);
}

const COUNTRY_ZONES: Record<string, string> = {
  jp: 'Asia/Tokyo',
  japan: 'Asia/Tokyo',
  日本: 'Asia/Tokyo',
  us: 'America/New_York',
  usa: 'America/New_York',
  'united states': 'America/New_York',
  gb: 'Europe/London',
  uk: 'Europe/London',
  'united kingdom': 'Europe/London',
  de: 'Europe/Berlin',
  germany: 'Europe/Berlin',
  fr: 'Europe/Paris',
  france: 'Europe/Paris',
  sg: 'Asia/Singapore',
  singapore: 'Asia/Singapore',
  kr: 'Asia/Seoul',
  korea: 'Asia/Seoul',
  韓国: 'Asia/Seoul',
  cn: 'Asia/Shanghai',
  china: 'Asia/Shanghai',
  中国: 'Asia/Shanghai',
  tw: 'Asia/Taipei',
  taiwan: 'Asia/Taipei',
  台湾: 'Asia/Taipei',
  au: 'Australia/Sydney',
  australia: 'Australia/Sydney',
  in: 'Asia/Kolkata',
  india: 'Asia/Kolkata',
};

/**
 * A person's time zone: `customFields.timeZone` when it names one, else one guessed from the
 * country, else the scenario's.
 */
export function personTimeZone(
  person: { country: string | null; customFields: Record<string, unknown> },
  fallback: string,
): string {
  const own = person.customFields.timeZone ?? person.customFields.timezone;
  if (isValidTimeZone(own)) return own;
  const byCountry = person.country ? COUNTRY_ZONES[person.country.trim().toLowerCase()] : undefined;
  return byCountry ?? fallback;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Moves an instant that falls in the quiet hours (local time; may span midnight) to their end. */
export function outsideQuietHours(at: Date, quiet: QuietHours | null | undefined, tz: string): Date {
  if (!quiet) return at;
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  if (s === e) return at;
  const p = localParts(at, tz);
  const m = p.hour * 60 + p.minute;
  const inQuiet = s < e ? m >= s && m < e : m >= s || m < e;
  if (!inQuiet) return at;
  // The end is today unless the quiet hours span midnight and we are before it.
  const endToday = zonedTime(p.year, p.month, p.day, Math.floor(e / 60), e % 60, tz);
  if (endToday > at) return endToday;
  const tomorrow = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return zonedTime(
    tomorrow.getUTCFullYear(),
    tomorrow.getUTCMonth() + 1,
    tomorrow.getUTCDate(),
    Math.floor(e / 60),
    e % 60,
    tz,
  );
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;

/** When a wait step that starts at `now` ends: after its duration, then at the next matching weekday and time. */
export function waitUntil(step: Extract<Step, { type: 'wait' }>, now: Date, tz: string): Date {
  let t = step.duration ? new Date(now.getTime() + step.duration.amount * UNIT_MS[step.duration.unit]) : now;
  if (step.until) {
    const days = step.until.weekdays?.length ? new Set(step.until.weekdays) : null;
    const [h, m] = [Number(step.until.time.slice(0, 2)), Number(step.until.time.slice(3, 5))];
    const p = localParts(t, tz);
    for (let i = 0; i <= 7; i++) {
      const d = new Date(Date.UTC(p.year, p.month - 1, p.day + i));
      const candidate = zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), h, m, tz);
      if (candidate > t && (!days || days.has(d.getUTCDay()))) {
        t = candidate;
        break;
      }
    }
  }
  return t;
}
