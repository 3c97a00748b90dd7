import type { Feature } from '../../platform/feature.ts';
import { IMPORT_QUEUE, runImportJob } from './jobs.ts';
import { peopleMergeRoutes } from './people-routes.ts';
import { importRoutes } from './routes.ts';

/** The imports part of capture: CSV import (API, durable job), accounts pages' API, merging two people. */
export const importsPart: Omit<Feature, 'name'> = {
  routes: [importRoutes, peopleMergeRoutes],
  jobs: { [IMPORT_QUEUE]: runImportJob },
};
