import { invalid } from '../../platform/errors.ts';

/** What a CSV column can be imported as. `custom:<key>` keeps the value in customFields. */
export const IMPORT_FIELDS = [
  'email',
  'lastName',
  'firstName',
  'fullName',
  'lastNameKana',
  'firstNameKana',
  'fullNameKana',
  'company',
  'department',
  'title',
  'phone',
  'mobile',
  'industry',
  'employeeCount',
  'prefecture',
  'country',
  'source',
  'channel',
  'consent',
  'occurredAt',
] as const;

export type ImportField = (typeof IMPORT_FIELDS)[number];
/** A column's target: a field, a custom field, or skipped. */
export type ColumnTarget = ImportField | `custom:${string}` | 'skip';

const SYNONYMS: Record<ImportField, string[]> = {
  email: [
    'email',
    'emailaddress',
    'mail',
    'mailaddress',
    'メール',
    'メールアドレス',
    'eメール',
    'eメールアドレス',
    '電子メール',
    'メアド',
    'emailアドレス',
    'mailアドレス',
  ],
  lastName: ['姓', '苗字', '名字', '氏', 'lastname', 'familyname', 'surname', '姓漢字'],
  firstName: ['名', 'firstname', 'givenname', '名漢字'],
  fullName: ['氏名', '名前', 'お名前', '担当者', '担当者名', '氏名漢字', 'name', 'fullname', 'contactname'],
  lastNameKana: [
    'セイ',
    'せい',
    '姓カナ',
    '姓フリガナ',
    '姓ふりがな',
    '姓よみ',
    'lastnamekana',
    'フリガナ姓',
    'ふりがな姓',
  ],
  firstNameKana: [
    'メイ',
    'めい',
    '名カナ',
    '名フリガナ',
    '名ふりがな',
    '名よみ',
    'firstnamekana',
    'フリガナ名',
    'ふりがな名',
  ],
  fullNameKana: [
    'フリガナ',
    'ふりがな',
    'カナ',
    'よみがな',
    'ヨミガナ',
    '読み',
    '氏名カナ',
    '氏名フリガナ',
    '氏名ふりがな',
    'namekana',
    'kana',
    'furigana',
  ],
  company: [
    '会社名',
    '会社',
    '企業名',
    '社名',
    '法人名',
    '組織名',
    '勤務先',
    'company',
    'companyname',
    'organization',
    'organisation',
    'account',
    'accountname',
  ],
  department: ['部署', '部署名', '部門', '所属', '所属部署', 'department', 'dept', 'division'],
  title: ['役職', '役職名', '肩書', '肩書き', 'title', 'jobtitle', 'position', 'role'],
  phone: [
    '電話番号',
    '電話',
    'tel',
    'phone',
    'phonenumber',
    'telephone',
    '会社電話番号',
    '代表電話',
    '代表電話番号',
    '直通電話',
    '直通電話番号',
    '電話番号会社',
  ],
  mobile: ['携帯電話', '携帯電話番号', '携帯', '携帯番号', 'mobile', 'mobilephone', 'cell', 'cellphone'],
  industry: ['業種', '業界', 'industry'],
  employeeCount: [
    '従業員数',
    '社員数',
    '従業員規模',
    '企業規模',
    '従業員',
    'employees',
    'employeecount',
    'numberofemployees',
    'companysize',
    'headcount',
  ],
  prefecture: ['都道府県', '県', '都道府県名', 'prefecture', 'state', 'region'],
  country: ['国', '国名', 'country'],
  source: ['ソース', 'リードソース', '流入元', '獲得元', 'source', 'leadsource'],
  channel: ['チャネル', 'チャンネル', '流入チャネル', 'channel'],
  consent: [
    '同意',
    '配信同意',
    'メール配信同意',
    '配信許諾',
    'メルマガ配信',
    'optin',
    'consent',
    'emailoptin',
  ],
  occurredAt: [
    '名刺交換日',
    '交換日',
    '来場日',
    '登録日',
    '日付',
    '取得日',
    'date',
    'exchangedate',
    'registeredat',
    'createdat',
  ],
};

/** Header text reduced for matching: NFKC, lower case, no spaces, brackets, marks or "required" notes. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[(（[【「<].*?(必須|任意|required|optional).*?[)）\]】」>]/g, '')
    .replace(/[\s_\-・()（）[\]【】「」<>:：*※#.'"]/g, '')
    .replace(/^(必須|任意)/, '');
}

const EXACT = new Map<string, ImportField>();
for (const field of IMPORT_FIELDS) for (const s of SYNONYMS[field]) EXACT.set(headerKey(s), field);

// For headers that match no synonym exactly ("勤務先メールアドレス", "会社電話番号(代表)"): the first fragment wins.
const CONTAINS: [string, ImportField][] = [
  ['メール', 'email'],
  ['mail', 'email'],
  ['フリガナ', 'fullNameKana'],
  ['ふりがな', 'fullNameKana'],
  ['携帯', 'mobile'],
  ['電話', 'phone'],
  ['tel', 'phone'],
  ['phone', 'phone'],
  ['会社', 'company'],
  ['company', 'company'],
  ['部署', 'department'],
  ['役職', 'title'],
  ['業種', 'industry'],
  ['従業員', 'employeeCount'],
  ['都道府県', 'prefecture'],
  ['氏名', 'fullName'],
];

/** The field a header suggests, or 'skip'. */
export function suggestField(header: string): ColumnTarget {
  const key = headerKey(header);
  if (!key) return 'skip';
  const exact = EXACT.get(key);
  if (exact) return exact;
  for (const [fragment, field] of CONTAINS) if (key.includes(headerKey(fragment))) return field;
  return 'skip';
}

/** Suggests a target per column; a field already taken by an earlier column is not suggested twice. */
export function suggestMapping(headers: string[]): ColumnTarget[] {
  const taken = new Set<string>();
  return headers.map((h) => {
    const field = suggestField(h);
    if (field === 'skip' || taken.has(field)) return 'skip';
    taken.add(field);
    return field;
  });
}

export function isColumnTarget(value: string): value is ColumnTarget {
  return (
    value === 'skip' ||
    (IMPORT_FIELDS as readonly string[]).includes(value) ||
    /^custom:[\w\-.\p{L}\p{N}]{1,64}$/u.test(value)
  );
}

/** Parses `--mapping "メール=email,列3=skip,4=custom:booth"` (a header name or a 1-based column number). */
export function parseMappingOption(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (!part.trim()) continue;
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw invalid('mapping', `"${part}" is not column=field`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The final target per column: the suggestions, overridden by an explicit mapping whose keys
 * are header names or 1-based column numbers. Throws 422 naming the bad entry.
 */
export function resolveMapping(
  headers: string[],
  explicit: Record<string, string> | undefined,
): ColumnTarget[] {
  const targets = suggestMapping(headers);
  if (!explicit) return targets;
  for (const [column, target] of Object.entries(explicit)) {
    let index = headers.findIndex((h) => h.trim() === column.trim());
    if (index < 0 && /^\d+$/.test(column)) index = Number(column) - 1;
    if (index < 0 || index >= headers.length)
      throw invalid(`mapping.${column}`, `no column "${column}" in the file`);
    if (!isColumnTarget(target)) {
      throw invalid(
        `mapping.${column}`,
        `unknown field "${target}" (one of ${IMPORT_FIELDS.join(', ')}, custom:<key> or skip)`,
      );
    }
    // An explicit choice takes the field away from a suggested column.
    if (target !== 'skip' && !target.startsWith('custom:')) {
      for (let i = 0; i < targets.length; i++) if (targets[i] === target) targets[i] = 'skip';
    }
    targets[index] = target;
  }
  return targets;
}
