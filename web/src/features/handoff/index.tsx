import { mergeWebFeatures } from '../../app/feature.ts';
import { salesWeb } from './sales/index.tsx';
import { pipelineWeb } from './pipeline/index.tsx';

export const handoffFeature = mergeWebFeatures([salesWeb, pipelineWeb]);
