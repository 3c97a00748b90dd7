import { analytics } from './analytics/index.ts';
import { capture } from './capture/index.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { handoff } from './handoff/index.ts';
import { lifecycleRoutes } from './lifecycle/routes.ts';
import { nurture } from './nurture/index.ts';
import { privacyRoutes } from './people/privacy.ts';
import { peopleRoutes } from './people/routes.ts';
import type { Feature } from './platform/feature.ts';
import type { RoutePlugin } from './platform/http/context.ts';
import { scoring } from './scoring/index.ts';
import { teamRoutes } from './team/routes.ts';

/** The features, in the order their demo data is seeded. Each lives in its own folder. */
export const FEATURES: Feature[] = [capture, scoring, nurture, handoff, analytics];

export const FEATURE_ROUTES: RoutePlugin[] = [teamRoutes, peopleRoutes, privacyRoutes, lifecycleRoutes, dashboardRoutes, ...FEATURES.flatMap((f) => f.routes ?? [])];
