import type { WebFeature } from '../app/feature.ts';
import { analyticsFeature } from './analytics/index.tsx';
import { captureFeature } from './capture/index.tsx';
import { handoffFeature } from './handoff/index.tsx';
import { homeFeature } from './home/index.tsx';
import { nurtureFeature } from './nurture/index.tsx';
import { peopleFeature } from './people/index.tsx';
import { scoringFeature } from './scoring/index.tsx';
import { settingsFeature } from './settings/index.tsx';

/** Every feature's pages, navigation and strings. Each folder owns its own. */
export const WEB_FEATURES: WebFeature[] = [
  homeFeature,
  peopleFeature,
  captureFeature,
  scoringFeature,
  nurtureFeature,
  handoffFeature,
  analyticsFeature,
  settingsFeature,
];
