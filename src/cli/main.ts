import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError } from '../platform/config.ts';
import { UserFacingError } from '../runtime.ts';
import { registerApiKeyCommands } from './api-keys.ts';
import { registerBenchCommand } from './bench.ts';
import { registerImportCommand } from './import.ts';
import { registerServeCommands } from './serve.ts';
import { registerSetupCommands } from './setup.ts';
import { registerUserCommands } from './users.ts';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`not a port number: ${value}`);
  return n;
}

const program = new Command()
  .name('leadflow')
  .description('Leadflow: marketing automation and lead management for B2B teams')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride();

registerServeCommands(program);
registerSetupCommands(program);
registerUserCommands(program);
registerApiKeyCommands(program);
registerImportCommand(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof ConfigError || err instanceof UserFacingError) {
    process.stderr.write(`leadflow: ${err.message}\n`);
    process.exit(1);
  }
  const message = err instanceof Error ? err.message : String(err);
  // fetch() says only "fetch failed"; what failed is in its cause (a refused or reset connection, a timeout).
  const cause = err instanceof Error && err.cause instanceof Error ? ((err.cause as NodeJS.ErrnoException).code ?? err.cause.message) : null;
  process.stderr.write(`leadflow: ${message.split('\n')[0]}${cause ? ` (${cause})` : ''}\n`);
  process.exit(1);
}
