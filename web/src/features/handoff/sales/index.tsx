import type { WebFeature } from '../../../app/feature.ts';
import { HandoffPanel } from './handoff-panel.tsx';
import { InboxPage } from './inbox-page.tsx';
import { salesMessages } from './messages.ts';
import { HandoffSettingsPage } from './settings-page.tsx';
import './sales.css';

/** The sales part of the handoff pages: the inbox, the settings, and the lead page's handoff panel. */
export const salesWeb: WebFeature = {
  routes: [
    { path: '/handoff', component: InboxPage },
    { path: '/handoff/settings', component: HandoffSettingsPage },
  ],
  nav: [
    { to: '/handoff', label: 'handoff.nav.inbox', roles: ['admin', 'sales'], order: 50 },
    { to: '/handoff/settings', label: 'handoff.nav.settings', roles: ['admin'], order: 85 },
  ],
  personPanels: [{ id: 'handoff', order: 5, component: HandoffPanel }],
  messages: salesMessages,
};
