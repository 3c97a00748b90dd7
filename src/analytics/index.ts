import type { Feature } from '../platform/feature.ts';
import { campaignRoutes } from './campaign-routes.ts';
import { seedAnalyticsDemo } from './demo.ts';
import { funnelRoutes } from './funnel-routes.ts';
import { targetRoutes } from './targets-routes.ts';

/** Funnel analytics and KPIs: the waterfall, cohorts, velocity, targets, campaigns with attributed ROI. */
export const analytics: Feature = {
  name: 'analytics',
  routes: [funnelRoutes, campaignRoutes, targetRoutes],
  seedDemo: seedAnalyticsDemo,
};
