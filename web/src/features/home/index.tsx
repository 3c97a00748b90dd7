import { useTranslation } from 'react-i18next';
import type { WebFeature } from '../../app/feature.ts';

function Dashboard() {
  const { t } = useTranslation();
  return <h1>{t('home.title')}</h1>;
}

export const homeFeature: WebFeature = {
  routes: [{ path: '/', component: Dashboard }],
  nav: [{ to: '/', label: 'home.nav', order: 0 }],
  messages: { ja: { 'home.nav': 'ダッシュボード', 'home.title': 'ダッシュボード' }, en: { 'home.nav': 'Dashboard', 'home.title': 'Dashboard' } },
};
