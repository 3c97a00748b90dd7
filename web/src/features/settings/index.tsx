import type { WebFeature } from '../../app/feature.ts';
import { settingsMessages } from './messages.ts';
import { SettingsPage } from './settings-page.tsx';

export const settingsFeature: WebFeature = {
  routes: [{ path: '/settings', component: SettingsPage }],
  nav: [{ to: '/settings', label: 'settings.nav', order: 90 }],
  messages: settingsMessages,
};
