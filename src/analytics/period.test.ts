import { describe, expect, it } from 'vitest';
import { splitAtMonths } from './period.ts';

describe('splitAtMonths', () => {
  it.each([
    [
      'whole months across a new year',
      '2025-11-01',
      '2026-02-28',
      { from: '2025-11-01', until: '2026-03-01' },
      [],
    ],
    [
      'partial months at both ends',
      '2025-12-20',
      '2026-03-10',
      { from: '2026-01-01', until: '2026-03-01' },
      [
        { from: '2025-12-20', to: '2025-12-31' },
        { from: '2026-03-01', to: '2026-03-10' },
      ],
    ],
    ['days inside one month', '2026-03-05', '2026-03-20', null, [{ from: '2026-03-05', to: '2026-03-20' }]],
    ['a first half', '2026-03-01', '2026-03-15', null, [{ from: '2026-03-01', to: '2026-03-15' }]],
    [
      'across a new year, no whole month',
      '2025-12-20',
      '2026-01-10',
      null,
      [{ from: '2025-12-20', to: '2026-01-10' }],
    ],
    [
      'a day either side of a leap February',
      '2024-01-31',
      '2024-03-01',
      { from: '2024-02-01', until: '2024-03-01' },
      [
        { from: '2024-01-31', to: '2024-01-31' },
        { from: '2024-03-01', to: '2024-03-01' },
      ],
    ],
  ])('%s', (_, from, to, months, edges) => {
    expect(splitAtMonths({ from, to })).toEqual({ months, edges });
  });
});
