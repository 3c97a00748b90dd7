export interface BenchOptions {
  scale: number;
  json?: boolean;
  only?: string;
}

/** The benchmark suite: see issue 8; implemented in bench/. */
export async function runBench(_opts: BenchOptions): Promise<void> {
  throw new Error('the benchmark suite is not built yet');
}
