import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SLA_CALENDAR,
  isBusinessDay,
  localDate,
  type SlaCalendar,
  slaDueAt,
} from './business-days.ts';

const cal = (over: Partial<SlaCalendar> = {}): SlaCalendar => ({ ...DEFAULT_SLA_CALENDAR, ...over });
/** An instant given as Tokyo wall-clock time. */
const jst = (s: string) => new Date(`${s}+09:00`);
const asJst = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('SLA business-day maths', () => {
  it('counts two business days from a Tuesday MQL to Thursday at the same time', () => {
    expect(asJst(slaDueAt(jst('2026-06-09T10:30:00'), cal()))).toBe('2026-06-11 10:30');
  });

  it('skips the weekend: a Thursday MQL is due on Monday', () => {
    expect(asJst(slaDueAt(jst('2026-06-11T15:00:00'), cal()))).toBe('2026-06-15 15:00');
  });

  it('starts the clock of a weekend MQL at 00:00 of the next business day', () => {
    // Saturday 2026-06-13 → clock starts Monday 06-15 00:00 → two business days later: Wednesday 00:00.
    expect(asJst(slaDueAt(jst('2026-06-13T11:00:00'), cal()))).toBe('2026-06-17 00:00');
  });

  it('skips Golden Week holidays when Japanese holidays are on, and not when off', () => {
    // 2026: 4/29 (Wed) 昭和の日, 5/3 (Sun) 憲法記念日, 5/4 (Mon) みどりの日, 5/5 (Tue) こどもの日, 5/6 (Wed) 振替休日.
    const friday = jst('2026-05-01T09:00:00');
    expect(asJst(slaDueAt(friday, cal()))).toBe('2026-05-08 09:00');
    expect(asJst(slaDueAt(friday, cal({ japaneseHolidays: false })))).toBe('2026-05-05 09:00');
    expect(isBusinessDay('2026-05-06', cal())).toBe(false);
    expect(isBusinessDay('2026-05-07', cal())).toBe(true);
  });

  it('skips configured closed days such as 年末年始', () => {
    const closed = ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-02', '2027-01-03'];
    // Monday 12/28 + 2 business days: 12/29–1/1 closed (1/1 元日), 1/2–1/3 weekend → 1/4 (Mon), 1/5 (Tue).
    expect(asJst(slaDueAt(jst('2026-12-28T17:00:00'), cal({ closedDates: closed })))).toBe(
      '2027-01-05 17:00',
    );
  });

  it('uses the calendar of the configured time zone, not UTC', () => {
    // 2026-06-12 Friday 23:30 UTC is already Saturday 08:30 in Tokyo.
    const at = new Date('2026-06-12T23:30:00Z');
    expect(localDate(at, 'Asia/Tokyo')).toBe('2026-06-13');
    expect(asJst(slaDueAt(at, cal()))).toBe('2026-06-17 00:00');
    expect(slaDueAt(at, cal({ timezone: 'UTC' })).toISOString()).toBe('2026-06-16T23:30:00.000Z');
  });

  it('honours a six-day working week', () => {
    expect(asJst(slaDueAt(jst('2026-06-11T15:00:00'), cal({ workdays: [1, 2, 3, 4, 5, 6] })))).toBe(
      '2026-06-13 15:00',
    );
  });
});
