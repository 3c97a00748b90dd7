import type { Feature } from '../../platform/feature.ts';

/** The sales part of handoff: routes, jobs, periodic tasks and demo data. */
export const salesPart: Omit<Feature, 'name'> = {};
