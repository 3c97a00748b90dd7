import { mergeFeatures } from '../platform/feature.ts';
import { salesPart } from './sales/feature.ts';
import { pipelinePart } from './pipeline/feature.ts';

export const handoff = mergeFeatures('handoff', [salesPart, pipelinePart]);
