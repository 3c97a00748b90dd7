import type { Feature } from '../../platform/feature.ts';

/** The pipeline part of handoff: routes, jobs, periodic tasks and demo data. */
export const pipelinePart: Omit<Feature, 'name'> = {};
