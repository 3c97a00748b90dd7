import type { WebFeature } from '../../app/feature.ts';
import { scoringMessages } from './messages.ts';
import { ScorePanel } from './score-panel.tsx';
import { ScoringPage } from './scoring-page.tsx';
import './scoring.css';

export const scoringFeature: WebFeature = {
  routes: [{ path: '/scoring', component: ScoringPage }],
  nav: [{ to: '/scoring', label: 'scoring.nav', order: 40 }],
  personPanels: [{ id: 'score', order: 10, component: ScorePanel }],
  messages: scoringMessages,
};
