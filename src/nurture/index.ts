import { mergeFeatures } from '../platform/feature.ts';
import { mailPart } from './mail/feature.ts';
import { scenariosPart } from './scenarios/feature.ts';

export const nurture = mergeFeatures('nurture', [mailPart, scenariosPart]);
