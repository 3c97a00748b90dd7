import type { WebFeature } from '../../app/feature.ts';

export const captureFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
