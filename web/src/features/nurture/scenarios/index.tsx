import type { WebFeature } from '../../../app/feature.ts';

/** The scenarios part of the nurture pages. */
export const scenariosWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
