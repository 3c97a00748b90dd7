import { type Command, InvalidArgumentError } from 'commander';
import { recordAudit, systemActor } from '../team/audit.ts';
import { isRole, ROLES, type Role } from '../team/permissions.ts';
import { createUser } from '../team/users.ts';
import { withContext } from './context.ts';

export function parseRole(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`unknown role "${value}" (one of: ${ROLES.join(', ')})`);
  return value;
}

export function registerUserCommands(program: Command) {
  const users = program.command('users').description('manage users');
  users
    .command('create')
    .description('create a user')
    .requiredOption('--email <email>', 'sign-in e-mail')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--name <name>', 'display name')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .action(async (opts: { email: string; password: string; role: Role; name?: string; dataDir?: string }) => {
      await withContext(opts, async (ctx) => {
        const user = await ctx.db.transaction(async (tx) => {
          const u = await createUser(tx, 1, opts);
          await recordAudit(tx, systemActor('cli'), { action: 'user.created', entityType: 'user', entityId: u.id, meta: { role: u.role } });
          return u;
        });
        process.stdout.write(`${JSON.stringify({ id: user.id, email: user.email, role: user.role })}\n`);
      });
    });
}
