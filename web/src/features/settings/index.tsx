import type { WebFeature } from '../../app/feature.ts';

export const settingsFeature: WebFeature = {
  routes: [],
  nav: [],
  messages: { ja: {}, en: {} },
};
