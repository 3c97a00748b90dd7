import type { WebFeature } from '../../../app/feature.ts';
import { AccountActivityPage, AccountsListPage } from './accounts-pages.tsx';
import { ImportPage } from './import-page.tsx';
import { ImportResultPage } from './import-result.tsx';
import { MergePanel } from './merge-panel.tsx';
import { importsMessages } from './messages.ts';
import './imports.css';

/** The imports part of the capture pages: the import wizard and results, the accounts list and activity, merging duplicates. */
export const importsWeb: WebFeature = {
  routes: [
    { path: '/imports', component: ImportPage },
    { path: '/imports/$id', component: ImportResultPage },
    { path: '/accounts', component: AccountsListPage },
    { path: '/accounts/$id/activity', component: AccountActivityPage },
  ],
  nav: [
    { to: '/accounts', label: 'accounts.list.nav', order: 12 },
    { to: '/imports', label: 'imports.nav', order: 22, roles: ['admin', 'marketing'] },
  ],
  personPanels: [{ id: 'merge', order: 90, component: MergePanel }],
  messages: importsMessages,
};
