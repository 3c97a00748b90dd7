import type { Command } from 'commander';

/** `leadflow import FILE`: implemented by the capture feature (src/capture/import-cli.ts). */
export function registerImportCommand(program: Command) {
  program
    .command('import <file>')
    .description('import people from a CSV file (UTF-8, UTF-8 with BOM or Shift_JIS, detected)')
    .option('--encoding <encoding>', 'auto, utf8 or sjis', 'auto')
    .option(
      '--campaign <name>',
      'add every imported person to this campaign (id or name; a new name creates it)',
    )
    .option(
      '--status <status>',
      'campaign membership status: member, invited, registered, attended, no_show',
      'attended',
    )
    .option(
      '--mapping <pairs>',
      'column=field pairs overriding the suggested mapping, e.g. "メール=email,3=custom:booth"',
    )
    .option(
      '--source <source>',
      'first-touch source of new people (default: the campaign name, else csv_import)',
    )
    .option(
      '--channel <channel>',
      'first-touch channel of new people (default: the campaign channel, else business_card)',
    )
    .option('--dry-run', 'check the file and report without writing')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .option(
      '--server <url>',
      'import through a running server instead of opening the database (with --api-key)',
    )
    .option('--api-key <key>', 'API key for --server (or LEADFLOW_API_KEY)')
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      const { runImportCommand } = await import('../capture/import-cli.ts');
      await runImportCommand(file, opts as never);
    });
}
