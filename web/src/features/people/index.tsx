import type { WebFeature } from '../../app/feature.ts';

export const peopleFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
