import { parse } from 'csv-parse/sync';
import {
  decodeBuffer,
  detectEncoding,
  ENCODING_LABELS,
  type EncodingChoice,
  type FileEncoding,
} from './decode.ts';
import { importProblem } from './engine.ts';
import { type ColumnTarget, IMPORT_FIELDS, resolveMapping, suggestMapping } from './mapping.ts';
import { parseRow, type RowIssue } from './rows.ts';

export interface ImportPreview {
  encoding: FileEncoding;
  encodingLabel: string;
  headers: string[];
  /** The suggested target per column (from the headers alone). */
  suggestedMapping: ColumnTarget[];
  /** The target per column after the caller's mapping (the suggestion when none was given). */
  mapping: ColumnTarget[];
  hasEmailColumn: boolean;
  /** The first rows as read, cell by cell. */
  rows: string[][];
  /** Issues of those rows under the mapping, as the import would report them. */
  issues: RowIssue[];
  fields: readonly string[];
}

/**
 * Reads the start of a file (the wizard sends the first megabyte; `partial` drops the last,
 * possibly cut, line) and answers what the import would see: encoding, headers, mapping, rows.
 */
export function previewCsv(
  sample: Buffer,
  opts: {
    encoding?: EncodingChoice;
    mapping?: Record<string, string>;
    partial?: boolean;
    rows?: number;
  } = {},
): ImportPreview {
  if (sample.length === 0) throw importProblem('the file is empty');
  const encoding = detectEncoding(sample, opts.encoding ?? 'auto');
  let text = decodeBuffer(sample, encoding);
  if (opts.partial) {
    const end = text.lastIndexOf('\n');
    if (end > 0) text = text.slice(0, end);
  }
  let records: string[][];
  try {
    records = parse(text, {
      relax_column_count: true,
      relax_quotes: true,
      to: (opts.rows ?? 10) + 1,
    }) as string[][];
  } catch {
    // A quoted value cut by the sample: preview what could be read line by line.
    records = parse(text.slice(0, text.lastIndexOf('\n', 64 * 1024)), {
      relax_column_count: true,
      relax_quotes: true,
      to: (opts.rows ?? 10) + 1,
    }) as string[][];
  }
  const headers = (records[0] ?? []).map((h) => h.trim());
  if (headers.every((h) => h === '')) throw importProblem('the file has no header row');
  const mapping = resolveMapping(headers, opts.mapping);
  const rows = records.slice(1).filter((r) => !(r.length === 1 && r[0].trim() === ''));
  const issues = mapping.includes('email')
    ? rows.flatMap((r, i) => {
        const res = parseRow(i + 2, r, headers, mapping);
        return res.ok ? res.warnings : res.issues;
      })
    : [];
  return {
    encoding,
    encodingLabel: ENCODING_LABELS[encoding],
    headers,
    suggestedMapping: suggestMapping(headers),
    mapping,
    hasEmailColumn: mapping.includes('email'),
    rows: rows.map((r) => r.map((c) => (c.length > 500 ? `${c.slice(0, 500)}…` : c))),
    issues,
    fields: IMPORT_FIELDS,
  };
}
