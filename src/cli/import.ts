import type { Command } from 'commander';

/** `leadflow import FILE`: implemented by the capture feature (src/capture/import-cli.ts). */
export function registerImportCommand(program: Command) {
  program
    .command('import <file>')
    .description('import people from a CSV file (UTF-8, UTF-8 with BOM or Shift_JIS, detected)')
    .option('--encoding <encoding>', 'auto, utf-8 or shift_jis', 'auto')
    .option('--campaign <name>', 'add every imported person to this campaign')
    .option('--dry-run', 'check the file and report without writing')
    .option('--data-dir <dir>', 'embedded database folder (default: LEADFLOW_DATA_DIR or ./data)')
    .action(async (file: string, opts: { encoding: string; campaign?: string; dryRun?: boolean; dataDir?: string }) => {
      const { runImportCommand } = await import('../capture/import-cli.ts');
      await runImportCommand(file, opts);
    });
}
