import { type Command, InvalidArgumentError } from 'commander';

export function parseScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100) {
    throw new InvalidArgumentError(`scale must be a number greater than 0 and at most 100, got "${value}"`);
  }
  return n;
}

/** `leadflow bench`: the workloads live in bench/. */
export function registerBenchCommand(program: Command) {
  program
    .command('bench')
    .description('run the benchmark suite (creates and drops its own schema or database)')
    .option('--scale <n>', 'scale 1 = 100,000 people and 1M activities', parseScale, 1)
    .option('--json', 'print {"results":[…]} as JSON')
    .option('--only <names>', 'comma-separated workload names to run')
    .option('--keep', 'keep the bench database afterwards (to EXPLAIN its queries); drop it yourself')
    .action(async (opts: { scale: number; json?: boolean; only?: string; keep?: boolean }) => {
      const { runBench } = await import('../../bench/index.ts');
      await runBench(opts);
    });
}
