import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import iconv from 'iconv-lite';
import type { Db } from '../src/platform/db/client.ts';
import type { AppContext } from '../src/platform/http/context.ts';
import { closeMailTransports } from '../src/platform/mail.ts';
import { BENCH_ANCHOR, type sizes, uid } from './generate.ts';
import { median, now, percentile, type Result, repeat, seconds } from './measure.ts';

export interface BenchEnv {
  ctx: AppContext;
  db: Db;
  /** Base URL of the app under test on loopback. */
  base: string;
  apiKey: string;
  scale: number;
  sizes: ReturnType<typeof sizes>;
  say: (msg: string) => void;
  dbUrl?: string;
}

export interface Workload {
  id: string;
  produces: string[];
  run(env: BenchEnv): Promise<Result[]>;
}

const RUNS = 3;

export async function api(
  env: BenchEnv,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(env.base + path, {
    method,
    headers: {
      authorization: `Bearer ${env.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function ok(env: BenchEnv, method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(env, method, path, body);
  if (r.status >= 300)
    throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
  return r.json;
}

/** Runs `count` tasks with at most `concurrency` at once. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Polls until no job matches `where`; throws with `what` after the timeout. */
async function untilNoJobs(
  db: Db,
  where: string,
  params: unknown[],
  what: (n: number) => string,
  timeoutMs: number,
  pollMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE ${where}`, params);
    if (r.rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`${what(r.rows[0].n)} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Waits until no job of these queues is pending (the worker has caught up). */
export function settle(db: Db, queues: string[], timeoutMs = 30 * 60_000): Promise<void> {
  return untilNoJobs(
    db,
    `status = 'pending' AND queue = ANY($1)`,
    [queues],
    () => `jobs of ${queues.join(', ')} still pending`,
    timeoutMs,
    25,
  );
}

const personEmail = (i: number, accounts: number) => `p${i}@c${i % accounts}.bench.example`;

/** Activities through the batch API with live scoring keeping up, against the raw insert ceiling. */
const ingest: Workload = {
  id: 'ingest',
  produces: ['ingest.activities_per_s', 'ingest.raw_insert_rows_per_s', 'ingest.efficiency'],
  async run(env) {
    const batchSize = 1000;
    const batches = 20;
    const total = batchSize * batches;
    const rowsFor = (run: number) =>
      Array.from({ length: total }, (_, k) => {
        const i = (run + 5) * 7919 * 13 + k * 104_729;
        // 1 in 20 activities is from an address we have not seen: a new Inquiry.
        const email =
          k % 20 === 0
            ? `new-${run + 5}-${k}@fresh.bench.example`
            : personEmail(i % env.sizes.people, env.sizes.accounts);
        return {
          email,
          type: k % 3 === 0 ? 'content_download' : 'page_view',
          occurredAt: new Date(Date.now() - (k % 3600) * 1000).toISOString(),
          properties: {
            url: k % 7 === 0 ? 'https://www.example.jp/pricing' : 'https://www.example.jp/product',
          },
        };
      });
    const api_ = await repeat(RUNS, async (run) => {
      const rows = rowsFor(run);
      const t = now();
      await pool(batches, 4, async (b) => {
        await ok(env, 'POST', '/api/v1/activities', {
          items: rows.slice(b * batchSize, (b + 1) * batchSize),
        });
      });
      await settle(env.db, ['scoring.refresh']);
      return total / seconds(t);
    });
    // The ceiling: the same rows in one multi-row statement into a scratch copy of the table.
    await env.db.query('DROP TABLE IF EXISTS bench_scratch_activities');
    await env.db.query('CREATE TABLE bench_scratch_activities (LIKE activities INCLUDING ALL)');
    const raw = await repeat(RUNS, async (run) => {
      const rows = rowsFor(run + 100);
      const t = now();
      await env.db.query(
        `INSERT INTO bench_scratch_activities (workspace_id, person_id, type, occurred_at, properties)
         SELECT 1, ${uid("'p' || (u.i % $5)")}, u.type, u.at, u.props::jsonb
         FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::text[]) AS u(i, type, at, props)`,
        [
          rows.map((_, k) => k),
          rows.map((r) => r.type),
          rows.map((r) => r.occurredAt),
          rows.map((r) => JSON.stringify(r.properties)),
          env.sizes.people,
        ],
      );
      return total / seconds(t);
    });
    await env.db.query('DROP TABLE bench_scratch_activities');
    const a = median(api_);
    const r = median(raw);
    const how = `${total.toLocaleString('en')} activities per run in ${batches} batches of ${batchSize} (4 concurrent), until scoring jobs drained; median of ${RUNS} runs after 1 warm-up`;
    return [
      { name: 'ingest.activities_per_s', value: a, unit: 'activities/s', note: how },
      {
        name: 'ingest.raw_insert_rows_per_s',
        value: r,
        unit: 'rows/s',
        note: `the same rows in one INSERT … SELECT unnest(…); median of ${RUNS}`,
      },
      { name: 'ingest.efficiency', value: a / r, unit: 'ratio', note: 'ingest over raw ceiling' },
    ];
  },
};

/** Full retroactive rescoring after a rule-set change, through the API and the background job. */
const rescore: Workload = {
  id: 'rescore',
  produces: ['rescore.people_per_s'],
  async run(env) {
    const people = (
      await env.db.query<{ n: number }>('SELECT count(*) AS n FROM people WHERE workspace_id = 1')
    ).rows[0].n;
    const values = await repeat(RUNS, async (run) => {
      const doc = await ok(env, 'GET', '/api/v1/scoring/rules');
      const { saved: _s, createdAt: _c, createdBy: _b, comment: _m, ...rules } = doc;
      // A real change every time: one engagement rule's points move.
      const rule = (rules.rules ?? []).find(
        (r: { kind?: string; points?: unknown }) => r.kind === 'engagement' && typeof r.points === 'number',
      );
      if (rule && typeof rule.points === 'number') rule.points = 5 + ((run + 10) % 7);
      const t = now();
      const saved = await ok(env, 'PUT', '/api/v1/scoring/rules', { ...rules, comment: `bench run ${run}` });
      const runId = saved.rescoreRunId;
      if (!runId) throw new Error('saving the rule set started no rescore');
      for (;;) {
        const st = await ok(env, 'GET', `/api/v1/scoring/rescore-status?runId=${runId}`);
        if (st.status === 'done') break;
        if (st.status === 'failed' || st.status === 'superseded')
          throw new Error(`rescore ${st.status}: ${st.error}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return people / seconds(t);
    });
    return [
      {
        name: 'rescore.people_per_s',
        value: median(values),
        unit: 'people/s',
        note: `${people.toLocaleString('en')} people from their full history, save → swap; median of ${RUNS} after 1 warm-up`,
      },
    ];
  },
};

/**
 * The load of the tracker workload, run in a worker thread with its own event loop, as browsers
 * elsewhere would send it: autocannon keeps `connections` keep-alive connections busy until
 * `amount` requests are answered, and reports every response's time (ms, from its own clock).
 * A fetch loop in the app's own event loop measured the client as much as the server: it took
 * twice the CPU the server did (75 % of a core against 37 %).
 */
const TRACK_LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require(require('node:module').createRequire(workerData.from).resolve('autocannon'));
const { url, amount, connections, run } = workerData;
let k = 0;
const latencies = [];
const statuses = {};
const instance = autocannon({
  url, amount, connections, timeout: 30,
  requests: [{
    method: 'POST', path: '/t/collect',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.jp' },
    setupRequest: (req) => {
      const i = k++;
      return { ...req, body: JSON.stringify({ type: 'page_view', visitorId: 'v-' + (run + 5) + '-' + (i % 2000), url: 'https://www.example.jp/product?i=' + i, title: '製品', referrer: '' }) };
    },
  }],
}, (err, result) => {
  if (err) parentPort.postMessage({ error: String(err) });
  else parentPort.postMessage({ latencies, statuses, errors: result.errors, timeouts: result.timeouts, seconds: (result.finish - result.start) / 1000 });
});
instance.on('response', (_client, status, _bytes, ms) => {
  latencies.push(ms);
  statuses[status] = (statuses[status] || 0) + 1;
});
`;

interface TrackLoad {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
}

async function trackLoad(base: string, run: number, amount: number, connections: number): Promise<TrackLoad> {
  const worker = new Worker(TRACK_LOAD, {
    eval: true,
    workerData: { from: fileURLToPath(import.meta.url), url: base, amount, connections, run },
  });
  try {
    return await new Promise<TrackLoad>((resolve, reject) => {
      worker.once('message', (m: TrackLoad & { error?: string }) =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

/** Single tracker events over HTTP at concurrency 32, from a load generator in a worker thread. */
const track: Workload = {
  id: 'track',
  produces: ['track.requests_per_s', 'track.p99_ms'],
  async run(env) {
    const requests = 8000;
    const p99s: number[] = [];
    const runs = await repeat(RUNS, async (run) => {
      const load = await trackLoad(env.base, run, requests, 32);
      const rps = requests / load.seconds;
      const failed = Object.entries(load.statuses).filter(
        ([status]) => Number(status) >= 400 && status !== '429',
      );
      if (failed.length > 0 || load.errors > 0 || load.latencies.length !== requests)
        throw new Error(
          `/t/collect: ${load.latencies.length} of ${requests} answered, statuses ${JSON.stringify(load.statuses)}, ${load.errors} errors (${load.timeouts} of them timeouts)`,
        );
      if (run >= 0) p99s.push(percentile(load.latencies, 99));
      return rps;
    });
    return [
      {
        name: 'track.requests_per_s',
        value: median(runs),
        unit: 'requests/s',
        note: `${requests} events from 2,000 visitors on 32 keep-alive connections (autocannon in a worker thread); median of ${RUNS} after 1 warm-up`,
      },
      {
        name: 'track.p99_ms',
        value: median(p99s),
        unit: 'ms',
        note: 'p99 latency per run, median over runs',
      },
    ];
  },
};

/** A 100K-row business-card list in Shift_JIS (CP932), half of it people we already have, with duplicates in the file. */
function cardList(env: BenchEnv, run: number, rows: number): Buffer {
  const lines = ['姓,名,セイ,メイ,会社名,部署,役職,メールアドレス,電話番号,業種,従業員数,都道府県'];
  for (let k = 0; k < rows; k++) {
    const known = k % 2 === 0;
    const dup = k % 20 === 1 && k > 1;
    const i = dup ? k - 1 : k;
    const email = known
      ? personEmail((i * 7 + run * 131) % env.sizes.people, env.sizes.accounts)
      : `card-${run + 5}-${i}@import.bench.example`;
    lines.push(
      `髙橋,健${i % 10},タカハシ,ケン,株式会社ベンチ${i % 500},情報システム部,部長,${email},03-1234-${String(i % 10000).padStart(4, '0')},製造業,${100 + (i % 5000)},東京都`,
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'cp932');
}

/** A 100K-row Shift_JIS CSV uploaded to the import API and merged by e-mail, until the import job completes. */
const importCsvWorkload: Workload = {
  id: 'import',
  produces: ['import.rows_per_s'],
  async run(env) {
    const rows = 100_000;
    const values = await repeat(RUNS, async (run) => {
      const file = cardList(env, run, rows);
      const form = new FormData();
      form.append(
        'file',
        new Blob([new Uint8Array(file)], { type: 'text/csv' }),
        `展示会名刺-${run + 5}.csv`,
      );
      const t = now();
      const res = await fetch(`${env.base}/api/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.apiKey}` },
        body: form,
      });
      const created = (await res.json()) as { id?: string; detail?: string };
      if (res.status !== 202 || !created.id)
        throw new Error(`POST /api/v1/imports answered ${res.status}: ${created.detail ?? ''}`);
      for (;;) {
        const st = await ok(env, 'GET', `/api/v1/imports/${created.id}`);
        if (st.status === 'completed') break;
        if (st.status === 'failed') throw new Error(`import failed: ${st.error}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return rows / seconds(t);
    });
    return [
      {
        name: 'import.rows_per_s',
        value: median(values),
        unit: 'rows/s',
        note: `${rows.toLocaleString('en')} rows (CP932, half known e-mails, 5% duplicates) upload → completed; median of ${RUNS} after 1 warm-up`,
      },
    ];
  },
};

/** A typical segment: profile conditions and "activity in the last 30 days", counted over everyone. */
const segment: Workload = {
  id: 'segment',
  produces: ['segment.eval_ms'],
  async run(env) {
    const filter = {
      and: [
        { field: 'industry', op: 'in', value: ['製造業', '情報通信業'] },
        { field: 'employeeCount', op: 'gte', value: 300 },
        { activity: { type: 'page_view', withinDays: 30 } },
      ],
    };
    let count = 0;
    const values = await repeat(RUNS + 2, async () => {
      const t = now();
      const r = await ok(env, 'POST', '/api/v1/segments/preview', { filter, sampleSize: 0 });
      count = r.count;
      return seconds(t) * 1000;
    });
    return [
      {
        name: 'segment.eval_ms',
        value: median(values),
        unit: 'ms',
        note: `industry ∈ {製造業, 情報通信業} ∧ employees ≥ 300 ∧ page view in 30 days → ${count.toLocaleString('en')} people, counted over all via the API; median of ${RUNS + 2}`,
      },
    ];
  },
};

/** The waterfall for 12 months with a channel breakdown. */
const funnel: Workload = {
  id: 'funnel',
  produces: ['funnel.query_ms'],
  async run(env) {
    const to = new Date(BENCH_ANCHOR);
    const from = new Date(Date.UTC(to.getUTCFullYear() - 1, to.getUTCMonth(), 1));
    const qs = `from=${from.toISOString().slice(0, 10)}&to=${new Date(to.getTime() - 86_400_000).toISOString().slice(0, 10)}&by=channel`;
    const values = await repeat(RUNS + 2, async () => {
      const t = now();
      await ok(env, 'GET', `/api/v1/funnel?${qs}`);
      return seconds(t) * 1000;
    });
    return [
      {
        name: 'funnel.query_ms',
        value: median(values),
        unit: 'ms',
        note: `GET /api/v1/funnel?${qs}; median of ${RUNS + 2} after 1 warm-up`,
      },
    ];
  },
};

/** Scenario enrolment of a 10% segment, sent through to an SMTP server on loopback. */
const scenario: Workload = {
  id: 'scenario',
  produces: ['scenario.emails_per_s'],
  async run(env) {
    const { SMTPServer } = await import('smtp-server');
    let received = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received++;
          done();
        });
      },
    });
    // A client that drops its connection (a killed worker) is normal for an SMTP server, not a crash.
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.server.address() as { port: number }).port;
    const previousSmtp = env.ctx.config.smtpUrl;
    env.ctx.config.smtpUrl = `smtp://127.0.0.1:${port}`;
    try {
      await ok(env, 'PUT', '/api/v1/mail/settings', {
        senderName: 'Leadflow Bench',
        postalAddress: '東京都千代田区1-1',
        contact: 'bench@example.jp',
        ratePerSecond: 1000,
        requireConsent: true,
      });
      const template = await ok(env, 'POST', '/api/v1/email-templates', {
        name: 'ベンチ案内',
        subject: '{{ person.lastName }} 様へ：セミナーのご案内',
        html: '<p>{{ person.lastName }} {{ person.firstName }} 様</p><p>DX推進セミナーのご案内です。<a href="https://www.example.jp/seminar">詳細</a></p>',
      });
      const segmentFilter = {
        and: [
          { field: 'consent', op: 'eq', value: true },
          { field: 'stage', op: 'in', value: ['mql'] },
        ],
      };
      const values = await repeat(RUNS, async (run) => {
        const sc = await ok(env, 'POST', '/api/v1/scenarios', {
          name: `ベンチ配信 ${run + 5}`,
          trigger: { type: 'manual' },
          steps: [{ id: 'send', type: 'send_email', templateId: template.id, next: null }],
        });
        await ok(env, 'POST', `/api/v1/scenarios/${sc.id}/activate`, {});
        const before = received;
        const t = now();
        // The warm-up sends to about a tenth of the segment (addresses p1…, p10…, p100…): enough
        // to open SMTP connections and warm the code, without doubling the bench at scale 10.
        const filter =
          run < 0
            ? { and: [...segmentFilter.and, { field: 'email', op: 'startsWith', value: 'p1' }] }
            : segmentFilter;
        const { enrolled } = await ok(env, 'POST', `/api/v1/scenarios/${sc.id}/enrol`, { filter });
        await settle(env.db, ['scenarios.step', 'mail.send']);
        const sent = received - before;
        // Done with it, as a marketer would be: a finished campaign send is paused.
        await ok(env, 'POST', `/api/v1/scenarios/${sc.id}/pause`, {});
        if (run >= 0) env.say(`  run ${run}: ${enrolled} enrolled, ${sent} delivered`);
        lastEnrolled = enrolled;
        return sent / seconds(t);
      });
      return [
        {
          name: 'scenario.emails_per_s',
          value: median(values),
          unit: 'emails/s',
          note: `${lastEnrolled.toLocaleString('en')} people enrolled per run (consenting MQLs, ≈10%), enrol → delivered to loopback SMTP; median of ${RUNS} after 1 warm-up on a tenth of them`,
        },
      ];
    } finally {
      env.ctx.config.smtpUrl = previousSmtp;
      // Pooled connections would hold the server's close for its 30 s timeout.
      closeMailTransports();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
};
let lastEnrolled = 0;

/**
 * In this order: the scenario first, while the generated MQLs are the ≈10% the data was built
 * with (the rescore qualifies more people, the ingest and import add more), then the read-only
 * queries, then the workloads that change scores and people.
 */
export const WORKLOADS: Workload[] = [scenario, segment, funnel, rescore, ingest, track, importCsvWorkload];

/**
 * Waits, untimed, until no job is due: what a workload left behind (the live rescoring of people
 * who were mailed, the assignment of new MQLs) does not run into the next one's figures.
 */
export function quiesce(db: Db, timeoutMs = 60 * 60_000): Promise<void> {
  return untilNoJobs(
    db,
    `status = 'pending' AND run_at <= now()`,
    [],
    (n) => `${n} jobs still due`,
    timeoutMs,
    200,
  );
}
