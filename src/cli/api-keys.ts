import type { Command } from 'commander';
import { createApiKey } from '../team/api-keys.ts';
import { recordAudit, systemActor } from '../team/audit.ts';
import { ROLES, type Role } from '../team/permissions.ts';
import { withContext } from './context.ts';
import { parseRole } from './users.ts';

export function registerApiKeyCommands(program: Command) {
  const keys = program.command('api-keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key and print it (only the key, one line)')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .action(async (opts: { name: string; role: Role; dataDir?: string }) => {
      await withContext(opts, async (ctx) => {
        const { key, apiKey } = await ctx.db.transaction(async (tx) => {
          const c = await createApiKey(tx, 1, { name: opts.name, role: opts.role });
          await recordAudit(tx, systemActor('cli'), { action: 'api_key.created', entityType: 'api_key', entityId: c.apiKey.id });
          return c;
        });
        void apiKey;
        process.stdout.write(`${key}\n`);
      });
    });
}
