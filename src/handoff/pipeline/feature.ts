import type { Feature } from '../../platform/feature.ts';
import { opportunityRoutes } from './opportunity-routes.ts';
import { RECYCLE_QUEUE, recycleLostPeople } from './recycle.ts';

/** The pipeline part of handoff: opportunities, outcome import and outbound webhooks. */
export const pipelinePart: Omit<Feature, 'name'> = {
  routes: [opportunityRoutes],
  jobs: { [RECYCLE_QUEUE]: recycleLostPeople },
  periodic: [{ queue: RECYCLE_QUEUE, everySeconds: 3600 }],
};
