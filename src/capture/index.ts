import type { Feature } from '../platform/feature.ts';

export const capture: Feature = {
  name: 'capture',
};
