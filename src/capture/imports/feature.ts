import type { Feature } from '../../platform/feature.ts';

/** The imports part of capture: routes, jobs, periodic tasks and demo data. */
export const importsPart: Omit<Feature, 'name'> = {};
