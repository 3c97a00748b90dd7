import type { Feature } from '../../platform/feature.ts';
import { activitiesRoutes } from './activities/routes.ts';

/** The intake part of capture: routes, jobs, periodic tasks and demo data. */
export const intakePart: Omit<Feature, 'name'> = {
  routes: [activitiesRoutes],
};
