import type { Feature } from '../../platform/feature.ts';
import { segmentRoutes } from '../segments/routes.ts';
import { seedMailDemo } from './demo.ts';
import { mailPublicRoutes } from './public-routes.ts';
import { mailRoutes } from './routes.ts';

/** The mail part of nurture: segments, templates, sending, tracking, unsubscribe and the outbox. */
export const mailPart: Omit<Feature, 'name'> = {
  routes: [segmentRoutes, mailRoutes, mailPublicRoutes],
  seedDemo: seedMailDemo,
};
