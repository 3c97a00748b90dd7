import type { WebFeature } from '../../../app/feature.ts';

/** The mail part of the nurture pages. */
export const mailWeb: WebFeature = { routes: [], nav: [], messages: { ja: {}, en: {} } };
