import { mergeFeatures } from '../platform/feature.ts';
import { intakePart } from './intake/feature.ts';
import { importsPart } from './imports/feature.ts';

export const capture = mergeFeatures('capture', [intakePart, importsPart]);
