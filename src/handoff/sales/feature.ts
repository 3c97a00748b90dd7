import type { Feature } from '../../platform/feature.ts';
import { seedSalesDemo } from './demo.ts';
import { salesJobs } from './jobs.ts';
import { salesRoutes } from './routes.ts';
import { salesSettingsRoutes } from './settings-routes.ts';
import { SLA_QUEUE } from './sla.ts';

/**
 * The sales part of handoff: assignment rules, the handoff package, accept / reject with an
 * SLA and its escalation, sales-generated leads.
 */
export const salesPart: Omit<Feature, 'name'> = {
  routes: [salesRoutes, salesSettingsRoutes],
  jobs: salesJobs,
  periodic: [{ queue: SLA_QUEUE, everySeconds: 300 }],
  seedDemo: seedSalesDemo,
};
