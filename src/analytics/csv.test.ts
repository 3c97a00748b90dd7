import { describe, expect, it } from 'vitest';
import { BOM, csvCell, toCsv } from '../../web/src/features/analytics/csv.ts';

describe('CSV export', () => {
  it('starts with a UTF-8 byte-order mark and uses CRLF, so Japanese Excel opens it', () => {
    const csv = toCsv(['キャンペーン', 'ROI'], [['製造業DXセミナー', 1.5]]);
    expect(csv.startsWith(BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.slice(1)).toBe('キャンペーン,ROI\r\n製造業DXセミナー,1.5\r\n');
  });

  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+81 3 1234', "'+81 3 1234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('neutralises a lead-supplied cell that a spreadsheet would run as a formula: %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('quotes commas, quotes and line breaks, keeps numbers (even negative) as numbers, and blanks null, NaN and Infinity', () => {
    expect(csvCell('株式会社A, 東京')).toBe('"株式会社A, 東京"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
  });
});
