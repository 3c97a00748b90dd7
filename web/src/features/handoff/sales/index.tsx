import type { WebFeature } from '../../../app/feature.ts';

/** The sales part of the handoff pages. */
export const salesWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
