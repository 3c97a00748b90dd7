import type { WebFeature } from '../../app/feature.ts';
import { AccountPage } from './account-page.tsx';
import { LeadPage } from './lead-page.tsx';
import { peopleMessages } from './messages.ts';
import { PeopleListPage } from './people-list.tsx';

export const peopleFeature: WebFeature = {
  routes: [
    { path: '/people', component: PeopleListPage },
    { path: '/people/$id', component: LeadPage },
    { path: '/accounts/$id', component: AccountPage },
  ],
  nav: [{ to: '/people', label: 'people.nav', order: 10 }],
  messages: peopleMessages,
};
