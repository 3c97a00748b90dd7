import type { Feature } from '../../platform/feature.ts';

/** The scenarios part of nurture: routes, jobs, periodic tasks and demo data. */
export const scenariosPart: Omit<Feature, 'name'> = {};
