import type { WebFeature } from '../../app/feature.ts';

export const analyticsFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
