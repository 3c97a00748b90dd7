/** Whether a channel brings leads in (they came to us) or out (we went to them). */
export type Direction = 'inbound' | 'outbound';

export interface Channel {
  key: string;
  direction: Direction;
  ja: string;
  en: string;
}

/**
 * The default channels (extensible in settings under the `channels` key). A person's `channel`
 * holds one of these keys; `source` holds the concrete origin (a campaign name, utm_source…).
 */
export const DEFAULT_CHANNELS: readonly Channel[] = [
  { key: 'tradeshow', direction: 'outbound', ja: '展示会', en: 'Trade show' },
  { key: 'seminar', direction: 'inbound', ja: 'セミナー', en: 'Seminar' },
  { key: 'webinar', direction: 'inbound', ja: 'ウェビナー', en: 'Webinar' },
  { key: 'document_request', direction: 'inbound', ja: '資料請求', en: 'Document request' },
  { key: 'ads', direction: 'inbound', ja: '広告', en: 'Advertising' },
  { key: 'newsletter', direction: 'inbound', ja: 'メルマガ', en: 'Newsletter' },
  { key: 'business_card', direction: 'outbound', ja: '名刺交換', en: 'Business-card exchange' },
  { key: 'telemarketing', direction: 'outbound', ja: 'テレアポ', en: 'Telemarketing' },
  { key: 'web', direction: 'inbound', ja: 'Web（自然検索）', en: 'Web (organic)' },
  { key: 'sns', direction: 'inbound', ja: 'SNS', en: 'Social' },
  { key: 'referral', direction: 'outbound', ja: '紹介', en: 'Referral' },
  { key: 'api', direction: 'inbound', ja: 'API', en: 'API' },
];
