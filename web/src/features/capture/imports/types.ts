export interface RowIssue {
  row: number;
  level: 'error' | 'warning';
  column: string;
  message: string;
  value?: string;
}

export interface ImportPreview {
  encoding: string;
  encodingLabel: string;
  headers: string[];
  suggestedMapping: string[];
  mapping: string[];
  hasEmailColumn: boolean;
  rows: string[][];
  issues: RowIssue[];
  fields: string[];
}

export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  invalid: number;
  warnings: number;
  campaignMembers: number;
}

export interface ImportRecord {
  id: string;
  fileName: string;
  fileSize: number;
  encoding: string | null;
  status: 'pending' | 'running' | 'completed' | 'failed';
  dryRun: boolean;
  options: {
    campaign?: string;
    campaignStatus?: string;
    encoding?: string;
    mapping?: Record<string, string>;
  };
  headers: string[] | null;
  mapping: string[] | null;
  progress: number;
  counts: ImportCounts;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportDetail extends ImportRecord {
  campaign: { id: string; name: string } | null;
  issues: RowIssue[];
  earlierImports: { id: string; createdAt: string; fileName: string }[];
}

export const ENCODING_LABELS: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 (BOM)',
  shift_jis: 'Shift_JIS (CP932)',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
};
