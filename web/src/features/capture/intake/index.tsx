import type { WebFeature } from '../../../app/feature.ts';
import { FormBuilderPage } from './form-builder.tsx';
import { FormsPage } from './forms-page.tsx';
import { intakeMessages } from './messages.ts';
import { FormSubmissionsPanel } from './submissions-panel.tsx';
import './intake.css';

/** The intake part of the capture pages: forms, their builder, embed codes and submissions. */
export const intakeWeb: WebFeature = {
  routes: [
    { path: '/forms', component: FormsPage },
    { path: '/forms/new', component: FormBuilderPage },
    { path: '/forms/$id', component: FormBuilderPage },
  ],
  nav: [{ to: '/forms', label: 'forms.nav', order: 20 }],
  personPanels: [{ id: 'form-submissions', order: 30, component: FormSubmissionsPanel }],
  messages: intakeMessages,
};
