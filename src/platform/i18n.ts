export type Locale = 'ja' | 'en';

/** Japanese for a `ja` browser (or a ja-first Accept-Language), English otherwise. */
export function pickLocale(acceptLanguage: string | undefined, fallback: Locale = 'ja'): Locale {
  if (!acceptLanguage) return fallback;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('ja')) return 'ja';
  if (first.startsWith('en')) return 'en';
  return acceptLanguage.toLowerCase().includes('ja') ? 'ja' : 'en';
}

export type Messages<K extends string> = Record<Locale, Record<K, string>>;

/** Looks a message up and fills {placeholders}. */
export function translate<K extends string>(messages: Messages<K>, locale: Locale, key: K, vars: Record<string, string | number> = {}): string {
  return messages[locale][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text or a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
