import { isHiragana, toKatakana } from 'wanakana';
import { DEFAULT_CHANNELS } from '../../people/channels.ts';
import { cleanText, normalizeEmail, normalizePhone } from '../../people/normalize.ts';
import type { PersonInput } from '../../people/person.ts';
import type { ColumnTarget } from './mapping.ts';

/** The longest value a mapped cell may hold; longer cells reject their row (a 10 MB cell never reaches the database). */
export const MAX_CELL_CHARS = 2_000;

export interface RowIssue {
  row: number;
  level: 'error' | 'warning';
  /** The column header (or the field) the issue is about; '' for the whole row. */
  column: string;
  message: string;
  /** The offending value, cut to 200 characters. */
  value?: string;
}

/** A valid row, ready to be merged into the database. */
export interface ImportRow {
  row: number;
  email: string;
  person: PersonInput;
  occurredAt?: Date;
  /** The mapped values as imported: with the e-mail they make the row's idempotency key. */
  fingerprint: string;
}

export type RowResult =
  | { ok: true; value: ImportRow; warnings: RowIssue[] }
  | { ok: false; issues: RowIssue[] };

const cut = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

/**
 * 氏名 into 姓 and 名: Japanese names are written family name first ("山田 太郎"), Latin ones
 * given name first ("Taro Yamada", or "Yamada, Taro"). Without a space the whole name is the family name.
 */
export function splitFullName(raw: string): { last?: string; first?: string } {
  const s = cleanText(raw);
  if (!s) return {};
  const comma = s.indexOf(',');
  if (comma > 0) return { last: cleanText(s.slice(0, comma)), first: cleanText(s.slice(comma + 1)) };
  const parts = s.split(' ');
  if (parts.length === 1) return { last: s };
  if (/^[\p{Script=Latin}\s.'-]+$/u.test(s))
    return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] };
  return { last: parts[0], first: parts.slice(1).join(' ') };
}

/** Furigana in hiragana is stored in katakana, like セイ / メイ columns. */
function kana(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const s = raw.normalize('NFKC');
  return isHiragana(s.replace(/[\s・]/g, '')) ? toKatakana(s) : s;
}

/** "1,000名", "１０００人", "100〜499名", "約50人" → the first number (the lower bound of a range). */
export function parseEmployeeCount(raw: string): number | undefined {
  const m = /\d+/.exec(raw.normalize('NFKC').replace(/,/g, ''));
  if (!m) return undefined;
  const n = Number(m[0]);
  return Number.isSafeInteger(n) && n <= 10_000_000 ? n : undefined;
}

const PREFECTURES =
  '北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県'.split(
    ' ',
  );
const PREFECTURE_BY_NAME = new Map<string, string>();
for (const p of PREFECTURES) {
  PREFECTURE_BY_NAME.set(p, p);
  PREFECTURE_BY_NAME.set(p.replace(/[都府県]$/, ''), p);
}

/** "東京" → "東京都", "大阪" → "大阪府"; a full address "東京都千代田区…" → "東京都"; anything else as written. */
export function normalizePrefecture(raw: string): string | undefined {
  const s = cleanText(raw);
  if (!s) return undefined;
  const exact = PREFECTURE_BY_NAME.get(s);
  if (exact) return exact;
  const prefix = PREFECTURES.find((p) => s.startsWith(p));
  return prefix ?? s;
}

const TRUE_WORDS = new Set([
  '1',
  'true',
  'yes',
  'y',
  'on',
  'はい',
  '同意',
  '同意する',
  '同意済',
  '同意済み',
  '許可',
  '済',
  '○',
  '〇',
  '◯',
  '✓',
  '✔',
  'opt-in',
  'optin',
]);

export function parseConsent(raw: string): boolean | undefined {
  const s = cleanText(raw)?.normalize('NFKC').toLowerCase();
  if (!s) return undefined;
  return TRUE_WORDS.has(s) ? true : undefined;
}

/** Dates as spreadsheets write them; without a zone they are Japan time (JST). */
export function parseImportDate(raw: string): Date | undefined {
  const s = raw.normalize('NFKC').trim();
  const m =
    /^(\d{4})[/\-.年](\d{1,2})[/\-.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      s,
    );
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', zone] = m;
  const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}T${h.padStart(2, '0')}:${mi.padStart(2, '0')}:${sec.padStart(2, '0')}${zone ?? '+09:00'}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const CHANNEL_BY_LABEL = new Map<string, string>();
for (const c of DEFAULT_CHANNELS) {
  for (const label of [c.key, c.ja, c.en]) CHANNEL_BY_LABEL.set(label.normalize('NFKC').toLowerCase(), c.key);
}

export function normalizeChannel(raw: string): string | undefined {
  const s = cleanText(raw);
  if (!s) return undefined;
  return CHANNEL_BY_LABEL.get(s.normalize('NFKC').toLowerCase()) ?? s;
}

function extractEmail(raw: string): string | undefined {
  const direct = normalizeEmail(raw);
  if (direct) return direct;
  const angle = /<([^<>]+)>/.exec(raw);
  return angle ? normalizeEmail(angle[1]) : undefined;
}

/**
 * One CSV record into a person. Only a missing or invalid e-mail, or an oversized cell, rejects
 * the row; problems with other values are warnings and the value is left out.
 */
export function parseRow(
  row: number,
  record: string[],
  headers: string[],
  targets: ColumnTarget[],
): RowResult {
  const issues: RowIssue[] = [];
  const person: Partial<PersonInput> & { customFields: Record<string, unknown> } = { customFields: {} };
  let email: string | undefined;
  let emailRaw = '';
  let occurredAt: Date | undefined;
  let fullName: string | undefined;
  let fullKana: string | undefined;
  let mobile: string | undefined;
  const fingerprint: string[] = [];
  const issue = (level: RowIssue['level'], col: number, message: string, value?: string) =>
    issues.push({
      row,
      level,
      column: headers[col] ?? `#${col + 1}`,
      message,
      ...(value !== undefined ? { value: cut(value) } : {}),
    });

  if (record.length > headers.length && record.slice(headers.length).some((c) => c.trim() !== '')) {
    issues.push({
      row,
      level: 'error',
      column: '',
      message: `the row has ${record.length} columns but the header has ${headers.length} (a comma outside quotes?)`,
    });
    return { ok: false, issues };
  }
  for (let col = 0; col < targets.length; col++) {
    const target = targets[col];
    if (target === 'skip') continue;
    const value = record[col] ?? '';
    if (value.length > MAX_CELL_CHARS) {
      issue(
        'error',
        col,
        `the value is ${value.length.toLocaleString('en')} characters long; at most ${MAX_CELL_CHARS.toLocaleString('en')} are allowed`,
      );
      return { ok: false, issues };
    }
    if (value.includes('\uFFFD'))
      issue('warning', col, 'the value contains characters that are not valid in the file encoding', value);
    fingerprint.push(value);
    if (value.trim() === '') continue;
    if (target.startsWith('custom:')) {
      const text = cleanText(value);
      if (text) person.customFields[target.slice(7)] = text;
      continue;
    }
    switch (target) {
      case 'email':
        emailRaw = value;
        email = extractEmail(value);
        break;
      case 'fullName':
        fullName = value;
        break;
      case 'fullNameKana':
        fullKana = kana(value);
        break;
      case 'lastNameKana':
      case 'firstNameKana':
        person[target] = kana(value);
        break;
      case 'phone': {
        const phone = normalizePhone(value);
        if (phone && phone.replace(/\D/g, '').length >= 6) person.phone = phone;
        else issue('warning', col, 'not a phone number; left out', value);
        break;
      }
      case 'mobile':
        mobile = normalizePhone(value);
        break;
      case 'employeeCount': {
        const n = parseEmployeeCount(value);
        if (n === undefined) issue('warning', col, 'not a number of employees; left out', value);
        else person.employeeCount = n;
        break;
      }
      case 'prefecture':
        person.prefecture = normalizePrefecture(value);
        break;
      case 'consent':
        if (parseConsent(value)) person.consent = true;
        break;
      case 'channel':
        person.channel = normalizeChannel(value);
        break;
      case 'occurredAt':
        occurredAt = parseImportDate(value);
        if (!occurredAt)
          issue('warning', col, 'not a date (YYYY-MM-DD or YYYY/MM/DD); the import time is used', value);
        else if (occurredAt.getTime() > Date.now() + 86_400_000) {
          issue('warning', col, 'a date in the future; the import time is used', value);
          occurredAt = undefined;
        }
        break;
      default:
        person[
          target as
            | 'lastName'
            | 'firstName'
            | 'company'
            | 'department'
            | 'title'
            | 'industry'
            | 'country'
            | 'source'
        ] = cleanText(value);
    }
  }
  if (!email) {
    const col = targets.indexOf('email');
    if (emailRaw.trim() === '') issue('error', col, 'no e-mail address');
    else issue('error', col, `not a valid e-mail address: "${cut(emailRaw.trim())}"`, emailRaw);
    return { ok: false, issues };
  }
  if (fullName) {
    const { last, first } = splitFullName(fullName);
    person.lastName ??= last;
    person.firstName ??= first;
  }
  if (fullKana) {
    const { last, first } = splitFullName(fullKana);
    person.lastNameKana ??= last;
    person.firstNameKana ??= first;
  }
  if (mobile) {
    if (!person.phone) person.phone = mobile;
    else person.customFields.mobile = mobile;
  }
  return {
    ok: true,
    value: {
      row,
      email,
      person: { ...person, email } as PersonInput,
      occurredAt,
      fingerprint: `${email}\u0000${fingerprint.join('\u0000')}`,
    },
    warnings: issues,
  };
}
