/** One figure of the bench report. */
export interface Result {
  name: string;
  value: number;
  unit: string;
  /** How it was measured: runs, warm-ups, sizes. */
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Runs fn once to warm up, then `runs` times; returns every run's value (fn returns its own figure). */
export async function repeat(runs: number, fn: (run: number) => Promise<number>, warmups = 1): Promise<number[]> {
  for (let w = 0; w < warmups; w++) await fn(-1 - w);
  const values: number[] = [];
  for (let r = 0; r < runs; r++) values.push(await fn(r));
  return values;
}

export const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;
export const now = () => process.hrtime.bigint();

export function round(value: number): number {
  if (value >= 100) return Math.round(value);
  if (value >= 1) return Math.round(value * 10) / 10;
  return Math.round(value * 1000) / 1000;
}
