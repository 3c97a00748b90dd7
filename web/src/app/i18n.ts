import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { WEB_FEATURES } from '../features/index.ts';
import { shellMessages } from './messages.ts';

const LANG_KEY = 'leadflow.lang';

/** Japanese for a `ja` browser, English otherwise; a choice made in the UI is remembered. */
export function initialLanguage(): 'ja' | 'en' {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'ja' || saved === 'en') return saved;
  return (navigator.languages?.[0] ?? navigator.language ?? 'ja').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export function setLanguage(lang: 'ja' | 'en') {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

const ja = Object.assign({}, shellMessages.ja, ...WEB_FEATURES.map((f) => f.messages.ja));
const en = Object.assign({}, shellMessages.en, ...WEB_FEATURES.map((f) => f.messages.en));

void i18n.use(initReactI18next).init({
  resources: { ja: { translation: ja }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export default i18n;
