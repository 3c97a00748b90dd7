import { describe, expect, it } from 'vitest';
import { fromLocal, isValidTimeZone, localDate, localParts } from './local-time.ts';

const NY = 'America/New_York';

describe('local time in an IANA zone', () => {
  it('tells the wall-clock parts of an instant in Tokyo (no DST) and New York', () => {
    const at = new Date('2026-06-12T23:30:15.250Z');
    expect(localParts(at, 'Asia/Tokyo')).toEqual({
      year: 2026,
      month: 6,
      day: 13,
      hour: 8,
      minute: 30,
      second: 15,
      ms: 250,
      weekday: 6,
    });
    // June: EDT, UTC−4.
    expect(localParts(at, NY)).toEqual({
      year: 2026,
      month: 6,
      day: 12,
      hour: 19,
      minute: 30,
      second: 15,
      ms: 250,
      weekday: 5,
    });
    // January: EST, UTC−5; midnight is hour 0, not 24.
    expect(localParts(new Date('2026-01-15T05:00:00Z'), NY)).toMatchObject({ day: 15, hour: 0, weekday: 4 });
    expect(localDate(at, 'Asia/Tokyo')).toBe('2026-06-13');
    expect(localDate(at, NY)).toBe('2026-06-12');
  });

  it('turns a wall-clock time back into the instant, and round-trips', () => {
    expect(
      fromLocal({ year: 2026, month: 6, day: 13, hour: 8, minute: 30 }, 'Asia/Tokyo').toISOString(),
    ).toBe('2026-06-12T23:30:00.000Z');
    expect(fromLocal({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, NY).toISOString()).toBe(
      '2026-01-15T14:00:00.000Z',
    );
    for (const tz of ['Asia/Tokyo', NY, 'UTC']) {
      for (const iso of [
        '2026-01-15T05:00:00.000Z',
        '2026-06-12T23:30:15.250Z',
        '2026-12-31T23:59:59.999Z',
      ]) {
        const at = new Date(iso);
        const back = fromLocal(localParts(at, tz), tz);
        expect(back.toISOString()).toBe(iso);
        expect(localParts(back, tz)).toEqual(localParts(at, tz));
      }
    }
  });

  it('rolls over out-of-range fields as Date.UTC does', () => {
    expect(
      fromLocal({ year: 2026, month: 12, day: 31, hour: 24, minute: 0 }, 'Asia/Tokyo').toISOString(),
    ).toBe('2026-12-31T15:00:00.000Z');
  });

  it('picks New York summer time for wall times a DST change repeats or skips', () => {
    // 2026-11-01: clocks go back 02:00 EDT → 01:00 EST, so 01:30 happens at 05:30Z and at 06:30Z.
    // The earlier one (EDT) is chosen.
    expect(fromLocal({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(fromLocal({ year: 2026, month: 11, day: 1, hour: 2, minute: 0 }, NY).toISOString()).toBe(
      '2026-11-01T07:00:00.000Z',
    );
    // 2026-03-08: clocks jump 02:00 EST → 03:00 EDT, so 02:30 never happens. It is read on the EDT
    // offset: 06:30Z, which the wall clock shows as 01:30 EST.
    const skipped = fromLocal({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY);
    expect(skipped.toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(localParts(skipped, NY)).toMatchObject({ hour: 1, minute: 30 });
    expect(fromLocal({ year: 2026, month: 3, day: 8, hour: 3, minute: 0 }, NY).toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('picks Berlin winter time for the same cases, east of UTC', () => {
    // 2026-10-25 02:30 happens at 00:30Z (CEST) and 01:30Z (CET): the later one is chosen.
    expect(
      fromLocal({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString(),
    ).toBe('2026-10-25T01:30:00.000Z');
    // 2026-03-29 02:30 never happens: read on the CET offset, 01:30Z, which shows 03:30 CEST.
    expect(
      fromLocal({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
  });

  it('validates time zone names', () => {
    expect(isValidTimeZone('Asia/Tokyo')).toBe(true);
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('asia/tokyo')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('x'.repeat(65))).toBe(false);
    expect(isValidTimeZone(null)).toBe(false);
    expect(isValidTimeZone(9)).toBe(false);
  });

  it('throws a RangeError for an unknown zone', () => {
    expect(() => localParts(new Date(), 'Mars/Olympus')).toThrow(RangeError);
    expect(() => fromLocal({ year: 2026, month: 1, day: 1, hour: 0, minute: 0 }, 'Mars/Olympus')).toThrow(
      RangeError,
    );
  });
});
