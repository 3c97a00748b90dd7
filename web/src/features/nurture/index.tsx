import { mergeWebFeatures } from '../../app/feature.ts';
import { mailWeb } from './mail/index.tsx';
import { scenariosWeb } from './scenarios/index.tsx';

export const nurtureFeature = mergeWebFeatures([mailWeb, scenariosWeb]);
