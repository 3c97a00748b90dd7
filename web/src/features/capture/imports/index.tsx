import type { WebFeature } from '../../../app/feature.ts';
import { ImportPage } from './import-page.tsx';
import { ImportResultPage } from './import-result.tsx';
import { importsMessages } from './messages.ts';
import './imports.css';

/** The imports part of the capture pages: the import wizard and results. */
export const importsWeb: WebFeature = {
  routes: [
    { path: '/imports', component: ImportPage },
    { path: '/imports/$id', component: ImportResultPage },
  ],
  nav: [{ to: '/imports', label: 'imports.nav', order: 22, roles: ['admin', 'marketing'] }],
  messages: importsMessages,
};
