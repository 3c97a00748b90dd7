import type { Feature } from '../platform/feature.ts';

export const handoff: Feature = {
  name: 'handoff',
};
