import type { AppContext } from '../../platform/http/context.ts';
import { startWorker } from '../../platform/jobs/worker.ts';
import { systemActor } from '../../team/audit.ts';
import { createTemplate } from '../mail/templates.ts';
import { stepJob } from './engine.ts';
import { enrolPeople, STEP_QUEUE } from './enrol.ts';
import { createScenario, setScenarioStatus } from './store.ts';

export interface ScenarioBenchResult {
  /** People enrolled by the one set-based statement. */
  enrolled: number;
  enrolSeconds: number;
  /** Mails the scenario's send step queued (rendered, recorded, delivery scheduled). */
  emails: number;
  sendSeconds: number;
  emailsPerSecond: number;
  workers: number;
}

/**
 * `scenario.emails_per_s` for `leadflow bench`: an active one-step scenario (send a template)
 * enrols `share` (default 10%) of the workspace's mailable people in one INSERT…SELECT, then
 * `workers` competing workers (default 4 on PostgreSQL, 1 on PGlite) run the step jobs until
 * none is left. Measures the scenario engine and mail queuing, not SMTP delivery.
 */
export async function benchScenarioEmails(
  ctx: AppContext,
  opts: { share?: number; workers?: number; workspaceId?: number } = {},
): Promise<ScenarioBenchResult> {
  const ws = opts.workspaceId ?? 1;
  const share = opts.share ?? 0.1;
  const workers = opts.workers ?? (ctx.db.kind === 'postgres' ? 4 : 1);
  const actor = systemActor('bench', ws);
  const stamp = Date.now();
  const scenario = await ctx.db.transaction(async (tx) => {
    const template = await createTemplate(tx, actor, {
      name: `bench ${stamp}`,
      subject: '{{ person.lastName | default: "お客" }}様へ、ベンチマークのお知らせ',
      html: '<p>{{ person.company }}<br>{{ person.lastName }} 様</p><p>セミナーのご案内です。<a href="https://example.jp/seminar">詳細</a></p>',
    });
    const s = await createScenario(tx, actor, {
      name: `bench ${stamp}`,
      trigger: { type: 'manual' },
      steps: [{ id: 'send', type: 'send_email', templateId: template.id, next: null }],
      reentry: 'never',
      reentryDays: 0,
      timeZone: 'Asia/Tokyo',
    });
    return (await setScenarioStatus(tx, actor, s.id, 'active')).after;
  });
  const t0 = performance.now();
  const enrolled = await ctx.db.transaction((tx) =>
    enrolPeople(
      tx,
      ws,
      scenario,
      {
        // A deterministic share of the mailable people (consent, not unsubscribed or bounced).
        sql: `SELECT id AS person_id FROM people WHERE workspace_id = $10 AND consent AND unsubscribed_at IS NULL AND bounced_at IS NULL
              ORDER BY md5(id::text) LIMIT (SELECT ceil(count(*) * $11::float8)::int FROM people WHERE workspace_id = $10)`,
        params: [ws, share],
      },
      { source: 'manual', now: ctx.clock.now() },
    ),
  );
  const enrolSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const pool = Array.from({ length: workers }, () =>
    startWorker({ ctx, handlers: { [STEP_QUEUE]: stepJob }, batchSize: 50 }, false),
  );
  await Promise.all(pool.map((w) => w.drain(1_000_000)));
  const sendSeconds = (performance.now() - t1) / 1000;
  const sent = await ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scenario_step_runs WHERE scenario_id = $1 AND outcome = 'sent'`,
    [scenario.id],
  );
  const emails = sent.rows[0].n;
  return {
    enrolled,
    enrolSeconds,
    emails,
    sendSeconds,
    emailsPerSecond: sendSeconds > 0 ? emails / sendSeconds : 0,
    workers,
  };
}
