import type { WebFeature } from '../../../app/feature.ts';

/** The pipeline part of the handoff pages. */
export const pipelineWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
