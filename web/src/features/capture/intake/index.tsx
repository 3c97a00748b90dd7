import type { WebFeature } from '../../../app/feature.ts';

/** The intake part of the capture pages. */
export const intakeWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
