import holidayJp from '@holiday-jp/holiday_jp';
import { fromLocal, localDate, localParts } from '../../platform/local-time.ts';

/** The SLA calendar: how many business days sales has to act on an MQL, and which days count. */
export interface SlaCalendar {
  /** Business days from MQL to breach. (Default: 2) */
  businessDays: number;
  /** Skip Japanese national holidays (祝日・振替休日). (Default: true) */
  japaneseHolidays: boolean;
  /** Extra closed days, e.g. 年末年始 ('YYYY-MM-DD'). */
  closedDates: string[];
  /** Working weekdays, 0 = Sunday … 6 = Saturday. (Default: Monday–Friday) */
  workdays: number[];
  /** The calendar's time zone. (Default: Asia/Tokyo) */
  timezone: string;
}

export const DEFAULT_SLA_CALENDAR: SlaCalendar = {
  businessDays: 2,
  japaneseHolidays: true,
  closedDates: [],
  workdays: [1, 2, 3, 4, 5],
  timezone: 'Asia/Tokyo',
};

// Time-zone arithmetic lives in platform/local-time.ts; these names are what the handoff code imports.
export { isValidTimeZone as isValidTimezone, localDate } from '../../platform/local-time.ts';

function addDays(ymd: string, n: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whether sales works on this calendar date. */
export function isBusinessDay(ymd: string, cal: SlaCalendar): boolean {
  const weekday = new Date(`${ymd}T00:00:00Z`).getUTCDay();
  if (!cal.workdays.includes(weekday)) return false;
  if (cal.japaneseHolidays && ymd in holidayJp.holidays) return false;
  return !cal.closedDates.includes(ymd);
}

/**
 * When an MQL that arrived at `start` breaches the SLA: `businessDays` business days later at
 * the same time of day. An MQL that arrives on a closed day starts its clock at 00:00 of the
 * next business day, so a Saturday MQL with a 2-day SLA is due Wednesday 00:00 (Tuesday night).
 */
export function slaDueAt(start: Date, cal: SlaCalendar): Date {
  const p = localParts(start, cal.timezone);
  let day = localDate(start, cal.timezone);
  let time = { hour: p.hour, minute: p.minute, second: p.second, ms: p.ms };
  if (!isBusinessDay(day, cal)) {
    let guard = 0;
    do day = addDays(day, 1);
    while (!isBusinessDay(day, cal) && ++guard < 370);
    time = { hour: 0, minute: 0, second: 0, ms: 0 };
  }
  let left = cal.businessDays;
  let guard = 0;
  while (left > 0 && guard++ < 3700) {
    day = addDays(day, 1);
    if (isBusinessDay(day, cal)) left--;
  }
  const [year, month, dayOfMonth] = day.split('-').map(Number);
  return fromLocal({ year, month, day: dayOfMonth, ...time }, cal.timezone);
}

/** A date ('YYYY-MM-DD', in the calendar's zone) falls inside an out-of-office range (inclusive). */
export function isWithin(ymd: string, from: string | null, to: string | null): boolean {
  if (!from && !to) return false;
  return (!from || ymd >= from) && (!to || ymd <= to);
}
