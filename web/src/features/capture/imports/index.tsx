import type { WebFeature } from '../../../app/feature.ts';

/** The imports part of the capture pages. */
export const importsWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
