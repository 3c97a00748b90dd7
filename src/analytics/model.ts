import type { Stage } from '../lifecycle/stages.ts';

/** The waterfall stages the funnel reports, in order. SGL is sales' own entry into SQL. */
export const WATERFALL = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won'] as const satisfies readonly Stage[];
export type WaterfallStage = (typeof WATERFALL)[number];

/**
 * The stages that count as "reached the next stage" from each waterfall stage. MQL converts when
 * sales accepts it (SAL) or qualifies it directly (SQL). Mirrors analytics_next_stages() in SQL.
 */
export const NEXT_STAGES: Record<WaterfallStage, readonly Stage[]> = {
  inquiry: ['mql'],
  mql: ['sal', 'sql'],
  sal: ['sql'],
  sgl: ['sql'],
  sql: ['won'],
  won: [],
};

export const BREAKDOWNS = [
  'channel',
  'source',
  'campaign',
  'owner',
  'industry',
  'employeeSize',
  'prefecture',
] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export function isBreakdown(value: string): value is Breakdown {
  return (BREAKDOWNS as readonly string[]).includes(value);
}

/** Employee-size bands, smallest first; `null` employee counts fall in no band (value null). */
export const SIZE_BANDS = [
  { key: '1-49', min: 0, max: 49 },
  { key: '50-299', min: 50, max: 299 },
  { key: '300-999', min: 300, max: 999 },
  { key: '1000-4999', min: 1000, max: 4999 },
  { key: '5000+', min: 5000, max: Number.POSITIVE_INFINITY },
] as const;

export function sizeBand(employeeCount: number | null | undefined): string | null {
  if (employeeCount === null || employeeCount === undefined) return null;
  return SIZE_BANDS.find((b) => employeeCount >= b.min && employeeCount <= b.max)?.key ?? null;
}

/** The same banding as SQL, over the column `col`. */
export function sizeBandSql(col: string): string {
  const arms = SIZE_BANDS.map((b) =>
    Number.isFinite(b.max) ? `WHEN ${col} <= ${b.max} THEN '${b.key}'` : `ELSE '${b.key}'`,
  ).join(' ');
  return `(CASE WHEN ${col} IS NULL THEN NULL ${arms} END)`;
}

/** The median of a list (the mean of the two middle values for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Days are reported with one decimal. */
export const roundDays = (days: number | null): number | null =>
  days === null ? null : Math.round(days * 10) / 10;

export const DAY_MS = 86_400_000;

export interface StageFigures {
  stage: WaterfallStage;
  /** Entries into the stage in the period (a person re-entering after recycling counts again). */
  count: number;
  /** Of those entries, how many reached one of the next stages afterwards (until now). */
  converted: number;
  /** converted / count; null when count is 0. */
  conversion: number | null;
  /** Median whole days (elapsed time rounded down) from the entry to reaching the next stage, over the converted entries. */
  medianDays: number | null;
}

export function figures(
  stage: WaterfallStage,
  count: number,
  converted: number,
  medianDays: number | null,
): StageFigures {
  return {
    stage,
    count,
    converted,
    conversion: stage === 'won' || count === 0 ? null : converted / count,
    medianDays: roundDays(medianDays),
  };
}
