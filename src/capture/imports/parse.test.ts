import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from './decode.ts';
import { resolveMapping, suggestField } from './mapping.ts';
import { neutraliseFormula } from './routes.ts';
import { normalizePrefecture, parseEmployeeCount, parseImportDate, parseRow, splitFullName } from './rows.ts';

describe('import parsing (pure)', () => {
  it('detects UTF-8, UTF-8 with BOM and Shift_JIS, and refuses binary data', () => {
    expect(detectEncoding(Buffer.from('email\nあ@example.jp\n'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('\uFEFFemail\n'))).toBe('utf-8-bom');
    expect(detectEncoding(iconv.encode('氏名,メール\n髙橋 ①,a@b.jp\n', 'cp932'))).toBe('shift_jis');
    expect(detectEncoding(Buffer.from('plain ascii\n'))).toBe('utf-8');
    expect(() => detectEncoding(Buffer.from('%PDF-1.7\n'))).toThrow(/PDF/);
    expect(detectEncoding(iconv.encode('氏名\n', 'cp932'), 'utf8')).toBe('utf-8');
  });

  it('suggests fields from Japanese and English headers', () => {
    const cases: [string, string][] = [
      ['姓', 'lastName'],
      ['名', 'firstName'],
      ['氏名', 'fullName'],
      ['セイ', 'lastNameKana'],
      ['メイ', 'firstNameKana'],
      ['フリガナ', 'fullNameKana'],
      ['会社名', 'company'],
      ['部署', 'department'],
      ['役職', 'title'],
      ['メールアドレス', 'email'],
      ['E-mail', 'email'],
      ['勤務先メールアドレス（必須）', 'email'],
      ['電話番号', 'phone'],
      ['Phone Number', 'phone'],
      ['業種', 'industry'],
      ['従業員数', 'employeeCount'],
      ['都道府県', 'prefecture'],
      ['First Name', 'firstName'],
      ['Company', 'company'],
      ['名刺交換日', 'occurredAt'],
      ['備考', 'skip'],
    ];
    for (const [header, field] of cases) expect([header, suggestField(header)]).toEqual([header, field]);
    expect(resolveMapping(['メール', 'Eメール'], undefined)).toEqual(['email', 'skip']);
  });

  it('splits names, parses counts, prefectures and dates', () => {
    expect(splitFullName('山田　太郎')).toEqual({ last: '山田', first: '太郎' });
    expect(splitFullName('Taro Yamada')).toEqual({ first: 'Taro', last: 'Yamada' });
    expect(splitFullName('Yamada, Taro')).toEqual({ last: 'Yamada', first: 'Taro' });
    expect(splitFullName('山田太郎')).toEqual({ last: '山田太郎' });
    expect(parseEmployeeCount('１，０００名')).toBe(1000);
    expect(parseEmployeeCount('100〜499名')).toBe(100);
    expect(parseEmployeeCount('不明')).toBeUndefined();
    expect(normalizePrefecture('大阪')).toBe('大阪府');
    expect(normalizePrefecture('東京都千代田区丸の内1-1')).toBe('東京都');
    expect(parseImportDate('2026年10月5日')?.toISOString()).toBe('2026-10-04T15:00:00.000Z');
    expect(parseImportDate('2026-10-05 13:30')?.toISOString()).toBe('2026-10-05T04:30:00.000Z');
    expect(parseImportDate('10/05/2026')).toBeUndefined();
  });

  it('turns a row into a person with warnings for values it leaves out', () => {
    const r = parseRow(
      7,
      ['ＴＡＲＯ＠Example.JP', 'なし', 'たなか たろう', 'abc'],
      ['メール', '電話', 'ふりがな', '従業員数'],
      ['email', 'phone', 'fullNameKana', 'employeeCount'],
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.person).toMatchObject({
      email: 'taro@example.jp',
      lastNameKana: 'タナカ',
      firstNameKana: 'タロウ',
    });
    expect(r.warnings.map((w) => [w.row, w.column])).toEqual([
      [7, '電話'],
      [7, '従業員数'],
    ]);
  });

  it('neutralises formulas in exported cells', () => {
    expect(neutraliseFormula("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('髙橋')).toBe('髙橋');
  });
});
