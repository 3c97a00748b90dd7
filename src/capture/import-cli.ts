export interface ImportCommandOptions {
  encoding: string;
  campaign?: string;
  dryRun?: boolean;
  dataDir?: string;
}

/** `leadflow import FILE`: built by the capture feature. */
export async function runImportCommand(_file: string, _opts: ImportCommandOptions): Promise<void> {
  throw new Error('CSV import is not built yet');
}
