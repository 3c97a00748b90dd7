export type FieldType = 'email' | 'text' | 'tel' | 'number' | 'select' | 'checkbox' | 'textarea';
export const FIELD_TYPES: FieldType[] = ['email', 'text', 'tel', 'number', 'select', 'checkbox', 'textarea'];

export interface FormField {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: string[];
  placeholder?: string;
}

export interface FormDraft {
  name: string;
  description: string | null;
  fields: FormField[];
  campaignId: string | null;
  channel: string | null;
  consentText: string | null;
  consentRequired: boolean;
  submitLabel: string | null;
  thankYouMessage: string | null;
  redirectUrl: string | null;
  minFillSeconds: number;
}

export interface FormView extends FormDraft {
  id: string;
  hostedUrl: string;
  embedCode: string;
  trackerCode: string;
  spamBlocked: number;
  submissionCount?: number;
  lastSubmissionAt?: string | null;
  campaignName?: string | null;
  createdAt: string;
}

export interface Submission {
  id: string;
  personId: string;
  email: string;
  name: string;
  answers: Record<string, unknown>;
  consent: boolean;
  pageUrl: string | null;
  referrer: string | null;
  utm: Record<string, string>;
  createdAt: string;
}

/** Standard fields with the labels a Japanese B2B form uses, and their English counterparts. */
export const STANDARD_FIELDS: (FormField & { en: string })[] = [
  { key: 'lastName', label: '姓', en: 'Last name', type: 'text', required: true },
  { key: 'firstName', label: '名', en: 'First name', type: 'text', required: true },
  { key: 'lastNameKana', label: 'セイ', en: 'Last name (kana)', type: 'text' },
  { key: 'firstNameKana', label: 'メイ', en: 'First name (kana)', type: 'text' },
  { key: 'company', label: '会社名', en: 'Company', type: 'text', required: true },
  { key: 'department', label: '部署', en: 'Department', type: 'text' },
  { key: 'title', label: '役職', en: 'Job title', type: 'text' },
  { key: 'email', label: 'メールアドレス', en: 'E-mail', type: 'email', required: true },
  { key: 'phone', label: '電話番号', en: 'Phone', type: 'tel' },
  {
    key: 'industry',
    label: '業種',
    en: 'Industry',
    type: 'select',
    options: ['製造業', '情報通信業', '卸売・小売業', '金融・保険業', '建設業', 'サービス業', 'その他'],
  },
  {
    key: 'employeeCount',
    label: '従業員数',
    en: 'Employees',
    type: 'select',
    options: ['1〜49名', '50〜299名', '300〜999名', '1,000〜4,999名', '5,000名以上'],
  },
  { key: 'prefecture', label: '都道府県', en: 'Prefecture', type: 'text' },
  { key: 'country', label: '国', en: 'Country', type: 'text' },
];

export const CHANNELS = [
  'document_request',
  'seminar',
  'webinar',
  'ads',
  'newsletter',
  'web',
  'sns',
  'referral',
  'tradeshow',
  'business_card',
  'telemarketing',
  'api',
];

export function emptyDraft(lang: string): FormDraft {
  const ja = lang.startsWith('ja');
  const pick = (keys: string[]) =>
    STANDARD_FIELDS.filter((f) => keys.includes(f.key)).map(({ en, ...f }) => ({
      ...f,
      label: ja ? f.label : en,
    }));
  return {
    name: '',
    description: null,
    fields: pick(['lastName', 'firstName', 'company', 'email']),
    campaignId: null,
    channel: null,
    consentText: null,
    consentRequired: false,
    submitLabel: null,
    thankYouMessage: null,
    redirectUrl: null,
    minFillSeconds: 3,
  };
}
