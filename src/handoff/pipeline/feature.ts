import type { Feature } from '../../platform/feature.ts';
import { seedPipelineDemo } from './demo.ts';
import { opportunityRoutes } from './opportunity-routes.ts';
import { outcomeRoutes } from './outcome-routes.ts';
import { RECYCLE_QUEUE, recycleLostPeople } from './recycle.ts';
import { DELIVER_QUEUE, deliverWebhook, FANOUT_QUEUE, fanoutEvent } from './webhooks/deliveries.ts';
import { PRUNE_QUEUE, pruneDeliveries } from './webhooks/prune.ts';
import { webhookRoutes } from './webhooks/routes.ts';

/** The pipeline part of handoff: opportunities, outcome import and outbound webhooks. */
export const pipelinePart: Omit<Feature, 'name'> = {
  routes: [opportunityRoutes, outcomeRoutes, webhookRoutes],
  jobs: {
    [RECYCLE_QUEUE]: recycleLostPeople,
    [FANOUT_QUEUE]: fanoutEvent,
    [DELIVER_QUEUE]: deliverWebhook,
    [PRUNE_QUEUE]: pruneDeliveries,
  },
  periodic: [
    { queue: RECYCLE_QUEUE, everySeconds: 3600 },
    { queue: PRUNE_QUEUE, everySeconds: 86_400 },
  ],
  seedDemo: seedPipelineDemo,
};
