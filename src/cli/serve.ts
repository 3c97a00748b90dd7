import type { Command } from 'commander';
import { buildApp } from '../app.ts';
import { seedDemo } from '../demo/seed.ts';
import { startWorker, type Worker } from '../platform/jobs/worker.ts';
import { createLog } from '../platform/log.ts';
import { createContext, holdDataDir, jobHandlers, periodicTasks } from '../runtime.ts';
import { configFrom } from './context.ts';
import { parsePort } from './main.ts';

export function registerServeCommands(program: Command) {
  program
    .command('serve')
    .description('run the API, web UI, public endpoints and the job worker in one process')
    .option('--port <port>', 'HTTP port (default: PORT or 3000)', parsePort)
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .option('--no-demo', 'do not load the demo data into an empty database')
    .option('--no-worker', 'do not run the job worker in this process')
    .action(async (opts: { port?: number; dataDir?: string; demo: boolean; worker: boolean }) => {
      const config = configFrom(opts);
      const release = holdDataDir(config, config.port);
      const log = createLog();
      const ctx = await createContext(config, log);
      if (opts.demo) {
        const seeded = await seedDemo(ctx, { onlyIfEmpty: true });
        if (seeded) {
          process.stdout.write(
            `\nDemo data loaded. Sign in at ${config.publicUrl}/ as ${seeded.adminEmail} / ${seeded.adminPassword}\n\n`,
          );
        }
      }
      const app = await buildApp(ctx, { logger: true });
      let worker: Worker | undefined;
      if (opts.worker) worker = startWorker({ ctx, handlers: jobHandlers(), periodic: periodicTasks() });
      await app.listen({ port: config.port, host: process.env.HOST ?? '0.0.0.0' });
      process.stdout.write(`Leadflow is running at ${config.publicUrl} (${ctx.db.kind})\n`);
      const shutdown = async () => {
        await app.close();
        await worker?.stop();
        await ctx.db.close();
        release();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });

  program
    .command('worker')
    .description('run the job worker alone (scale out against a PostgreSQL server)')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .action(async (opts: { dataDir?: string }) => {
      const config = configFrom(opts);
      const release = holdDataDir(config, 0);
      const ctx = await createContext(config, createLog());
      const worker = startWorker({ ctx, handlers: jobHandlers(), periodic: periodicTasks() });
      process.stdout.write(`Leadflow worker started (${ctx.db.kind})\n`);
      const shutdown = async () => {
        await worker.stop();
        await ctx.db.close();
        release();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
