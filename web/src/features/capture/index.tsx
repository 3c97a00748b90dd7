import { mergeWebFeatures } from '../../app/feature.ts';
import { intakeWeb } from './intake/index.tsx';
import { importsWeb } from './imports/index.tsx';

export const captureFeature = mergeWebFeatures([intakeWeb, importsWeb]);
