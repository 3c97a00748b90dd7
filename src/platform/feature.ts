import type { Clock } from './clock.ts';
import type { Db } from './db/client.ts';
import type { RoutePlugin } from './http/context.ts';
import type { JobHandler, PeriodicTask } from './jobs/worker.ts';
import type { Log } from './log.ts';

export interface SeedContext {
  db: Db;
  clock: Clock;
  log: Log;
  /** Deterministic pseudo-random numbers in [0, 1) for the demo data. */
  random: () => number;
}

/** What a feature folder contributes to the app: its routes, job handlers, periodic tasks and demo data. */
export interface Feature {
  name: string;
  routes?: RoutePlugin[];
  jobs?: Record<string, JobHandler>;
  periodic?: PeriodicTask[];
  /** Adds this feature's part of the demo story; runs after the foundation's people and campaigns exist. */
  seedDemo?: (ctx: SeedContext) => Promise<void>;
}

/** Combines parts of one feature folder (each owned by its own module) into one Feature. */
export function mergeFeatures(name: string, parts: Omit<Feature, 'name'>[]): Feature {
  return {
    name,
    routes: parts.flatMap((p) => p.routes ?? []),
    jobs: Object.assign({}, ...parts.map((p) => p.jobs ?? {})),
    periodic: parts.flatMap((p) => p.periodic ?? []),
    async seedDemo(ctx) {
      for (const part of parts) if (part.seedDemo) await part.seedDemo(ctx);
    },
  };
}
