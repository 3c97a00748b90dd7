import type { WebFeature } from '../../app/feature.ts';
import './analytics.css';
import { CampaignPage } from './campaign-page.tsx';
import { CampaignsPage } from './campaigns-page.tsx';
import { FunnelPage } from './funnel-page.tsx';
import { analyticsMessages } from './messages.ts';
import { TargetsPage } from './targets-page.tsx';

export const analyticsFeature: WebFeature = {
  routes: [
    { path: '/funnel', component: FunnelPage },
    { path: '/campaigns', component: CampaignsPage },
    { path: '/campaigns/$id', component: CampaignPage },
    { path: '/targets', component: TargetsPage },
  ],
  nav: [
    { to: '/funnel', label: 'analytics.nav.funnel', order: 15 },
    { to: '/campaigns', label: 'analytics.nav.campaigns', order: 55 },
    { to: '/targets', label: 'analytics.nav.targets', order: 57 },
  ],
  messages: analyticsMessages,
};
