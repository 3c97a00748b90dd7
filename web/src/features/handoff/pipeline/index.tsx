import type { WebFeature } from '../../../app/feature.ts';
import { pipelineMessages } from './messages.ts';
import { OpportunityPage } from './opportunity-page.tsx';
import { OutcomesPage } from './outcomes-page.tsx';
import { PersonOpportunitiesPanel } from './person-opportunities.tsx';
import { PipelinePage } from './pipeline-page.tsx';
import { WebhookDeliveriesPage } from './webhook-deliveries-page.tsx';
import { WebhooksPage } from './webhooks-page.tsx';
import './pipeline.css';

/** The pipeline part of the handoff pages: pipeline board, opportunities, outcome import, webhooks. */
export const pipelineWeb: WebFeature = {
  routes: [
    { path: '/pipeline', component: PipelinePage },
    { path: '/pipeline/outcomes', component: OutcomesPage },
    { path: '/opportunities/$id', component: OpportunityPage },
    { path: '/webhooks', component: WebhooksPage },
    { path: '/webhooks/$id', component: WebhookDeliveriesPage },
  ],
  nav: [
    { to: '/pipeline', label: 'pipeline.nav', order: 55 },
    { to: '/webhooks', label: 'webhooks.nav', order: 85, roles: ['admin'] },
  ],
  personPanels: [{ id: 'opportunities', order: 30, component: PersonOpportunitiesPanel }],
  messages: pipelineMessages,
};
