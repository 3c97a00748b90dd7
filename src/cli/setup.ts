import type { Command } from 'commander';
import { seedDemo } from '../demo/seed.ts';
import { migrate } from '../platform/db/migrate.ts';
import { withContext } from './context.ts';

export function registerSetupCommands(program: Command) {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .action(async (opts: { dataDir?: string }) => {
      await withContext(opts, async (ctx) => {
        // createContext already migrated; report what the schema holds now.
        const applied = await migrate(ctx.db);
        const r = await ctx.db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
        process.stdout.write(`migrations up to date (${r.rows[0].n} applied${applied.length ? `, ${applied.length} new` : ''})\n`);
      });
    });

  program
    .command('seed-demo')
    .description('load the deterministic demo data set (Japanese B2B companies, people, campaigns, deals)')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .option('--force', 'load it even when the database already holds people')
    .action(async (opts: { dataDir?: string; force?: boolean }) => {
      await withContext(opts, async (ctx) => {
        const seeded = await seedDemo(ctx, { onlyIfEmpty: !opts.force });
        if (!seeded) {
          process.stderr.write('leadflow: the database already holds people; use --force to add the demo data anyway\n');
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          `demo data loaded: ${seeded.people} people, ${seeded.accounts} accounts, ${seeded.activities} activities; ` +
            `sign in as ${seeded.adminEmail} / ${seeded.adminPassword}\n`,
        );
      });
    });
}
