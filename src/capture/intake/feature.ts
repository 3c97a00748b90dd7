import type { Feature } from '../../platform/feature.ts';
import { activitiesRoutes } from './activities/routes.ts';
import { publicFormRoutes } from './forms/public-routes.ts';
import { formsRoutes } from './forms/routes.ts';
import { seedIntakeDemo } from './seed.ts';
import { trackerRoutes } from './tracker/routes.ts';
import { scoreTrackedVisitors, TRACKER_SCORING_QUEUE } from './tracker/scoring.ts';

/**
 * The intake part of capture: the activities API, forms (API, hosted page, embed, submission)
 * and the tracker (t.js, collect, identification).
 */
export const intakePart: Omit<Feature, 'name'> = {
  routes: [activitiesRoutes, formsRoutes, publicFormRoutes, trackerRoutes],
  jobs: { [TRACKER_SCORING_QUEUE]: scoreTrackedVisitors },
  periodic: [{ queue: TRACKER_SCORING_QUEUE, everySeconds: 60 }],
  seedDemo: seedIntakeDemo,
};
