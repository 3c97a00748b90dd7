import type { WebFeature } from '../../../app/feature.ts';
import { MailSettingsPage } from './mail-settings-page.tsx';
import { mailMessages } from './messages.ts';
import { OutboxMessagePage, OutboxPage } from './outbox-page.tsx';
import { MailPanel } from './person-panel.tsx';
import { SegmentPage } from './segment-page.tsx';
import { SegmentsPage } from './segments-page.tsx';
import { TemplatePage } from './template-page.tsx';
import { TemplatesPage } from './templates-page.tsx';
import './mail.css';

const MARKETING = ['admin', 'marketing'];

/** The mail part of the nurture pages: segments, e-mail templates, the outbox and sender settings. */
export const mailWeb: WebFeature = {
  routes: [
    { path: '/segments', component: SegmentsPage },
    { path: '/segments/$id', component: SegmentPage },
    { path: '/emails', component: TemplatesPage },
    { path: '/emails/$id', component: TemplatePage },
    { path: '/outbox', component: OutboxPage },
    { path: '/outbox/$id', component: OutboxMessagePage },
    { path: '/mail-settings', component: MailSettingsPage },
  ],
  nav: [
    { to: '/segments', label: 'mail.nav.segments', order: 50 },
    { to: '/emails', label: 'mail.nav.emails', order: 52 },
    { to: '/outbox', label: 'mail.nav.outbox', order: 58, roles: MARKETING },
  ],
  personPanels: [{ id: 'mail', order: 45, component: MailPanel }],
  messages: mailMessages,
};
