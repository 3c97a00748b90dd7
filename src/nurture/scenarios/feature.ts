import type { Feature } from '../../platform/feature.ts';
import { seedScenarioDemo } from './demo.ts';
import { stepJob } from './engine.ts';
import { STEP_QUEUE } from './enrol.ts';
import { scenarioRoutes } from './routes.ts';
import { WEBHOOK_QUEUE } from './steps.ts';
import { EVALUATE_QUEUE, evaluateJob, TICK_QUEUE, TRIGGER_QUEUE, tickJob, triggerJob } from './triggers.ts';
import { webhookJob } from './webhook.ts';

/**
 * The scenarios part of nurture: scenario documents and their validation, the durable engine
 * (each step a job; history rows double as idempotency records), triggers from domain events,
 * segment and date triggers every minute, and the demo's welcome and seminar scenarios.
 */
export const scenariosPart: Omit<Feature, 'name'> = {
  routes: [scenarioRoutes],
  jobs: {
    [TRIGGER_QUEUE]: triggerJob,
    [STEP_QUEUE]: stepJob,
    [WEBHOOK_QUEUE]: webhookJob,
    [TICK_QUEUE]: tickJob,
    [EVALUATE_QUEUE]: evaluateJob,
  },
  periodic: [{ queue: TICK_QUEUE, everySeconds: 60 }],
  seedDemo: seedScenarioDemo,
};
