import type { Feature } from '../../platform/feature.ts';

/** The mail part of nurture: routes, jobs, periodic tasks and demo data. */
export const mailPart: Omit<Feature, 'name'> = {};
