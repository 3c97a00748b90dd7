import type { WebFeature } from '../../app/feature.ts';

export const nurtureFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
