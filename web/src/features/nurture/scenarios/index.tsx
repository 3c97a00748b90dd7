import type { WebFeature } from '../../../app/feature.ts';
import { ScenarioListPage } from './list-page.tsx';
import { scenarioMessages } from './messages.ts';
import { ScenarioHistoryPanel } from './person-panel.tsx';
import { ScenarioPage } from './scenario-page.tsx';
import './scenarios.css';

/** The scenarios part of the nurture pages: list, flow view with counts, builder, and the lead-page history. */
export const scenariosWeb: WebFeature = {
  routes: [
    { path: '/scenarios', component: ScenarioListPage },
    { path: '/scenarios/$id', component: ScenarioPage },
  ],
  nav: [{ to: '/scenarios', label: 'scenarios.nav', order: 55 }],
  personPanels: [{ id: 'scenarios', order: 40, component: ScenarioHistoryPanel }],
  messages: scenarioMessages,
};
