import type { WebFeature } from '../../app/feature.ts';
import { DashboardPage } from './dashboard-page.tsx';
import { homeMessages } from './messages.ts';

export const homeFeature: WebFeature = {
  routes: [{ path: '/', component: DashboardPage }],
  nav: [{ to: '/', label: 'home.nav', order: 0 }],
  messages: homeMessages,
};
