import type { FormField } from './model.ts';

export const PREFECTURES = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県', '埼玉県', '千葉県',
  '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県', '三重県',
  '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県', '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県',
  '香川県', '愛媛県', '高知県', '福岡県', '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
];

export const EMPLOYEE_BANDS = ['1〜49名', '50〜299名', '300〜999名', '1,000〜4,999名', '5,000名以上'];

/** The fields of a typical Japanese B2B document-request form (資料請求フォーム). */
export const DOCUMENT_REQUEST_FIELDS: FormField[] = [
  { key: 'lastName', label: '姓', type: 'text', required: true, placeholder: '山田' },
  { key: 'firstName', label: '名', type: 'text', required: true, placeholder: '太郎' },
  { key: 'lastNameKana', label: 'セイ', type: 'text', placeholder: 'ヤマダ' },
  { key: 'firstNameKana', label: 'メイ', type: 'text', placeholder: 'タロウ' },
  { key: 'company', label: '会社名', type: 'text', required: true },
  { key: 'department', label: '部署', type: 'text' },
  { key: 'title', label: '役職', type: 'text' },
  { key: 'email', label: 'メールアドレス', type: 'email', required: true },
  { key: 'phone', label: '電話番号', type: 'tel' },
  { key: 'employeeCount', label: '従業員数', type: 'select', options: EMPLOYEE_BANDS },
  { key: 'prefecture', label: '都道府県', type: 'select', options: PREFECTURES },
  { key: 'interest', label: 'ご興味のある内容・ご質問', type: 'textarea' },
];
