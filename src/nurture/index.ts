import type { Feature } from '../platform/feature.ts';

export const nurture: Feature = {
  name: 'nurture',
};
