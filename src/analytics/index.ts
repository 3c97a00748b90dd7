import type { Feature } from '../platform/feature.ts';

export const analytics: Feature = {
  name: 'analytics',
};
