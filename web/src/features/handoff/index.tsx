import type { WebFeature } from '../../app/feature.ts';

export const handoffFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
