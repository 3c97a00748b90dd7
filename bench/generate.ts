import type { Db } from '../src/platform/db/client.ts';

/** The size of a bench data set: scale 1 = 100,000 people in 5,000 accounts with 1,000,000 activities over 18 months. */
export function sizes(scale: number) {
  return {
    people: Math.round(100_000 * scale),
    accounts: Math.round(5_000 * scale),
    activities: Math.round(1_000_000 * scale),
    campaigns: 40,
    salesUsers: 10,
  };
}

/**
 * The end of the generated history: today's midnight (UTC), so that "activity in the last 30
 * days" finds the month before the run, as it would in a live database. The data is the same
 * for every run on the same day.
 */
export const BENCH_ANCHOR = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString();
const SPAN_SECONDS = 540 * 86_400;

/** A valid (version 4, RFC variant) UUID derived from md5 of a SQL text expression: deterministic ids. */
export const uid = (expr: string) =>
  `overlay(overlay(md5(${expr}) placing '4' from 13) placing '8' from 17)::uuid`;

const arr = (xs: readonly string[]) => `(ARRAY[${xs.map((x) => `'${x}'`).join(',')}])`;
const CHANNELS = [
  'tradeshow',
  'seminar',
  'webinar',
  'document_request',
  'ads',
  'newsletter',
  'business_card',
  'telemarketing',
  'web',
  'sns',
  'referral',
  'api',
];
const INDUSTRIES = [
  '製造業',
  '情報通信業',
  'ソフトウェア',
  '卸売業',
  '小売業',
  '金融業',
  '建設業',
  '物流・運輸',
  '医療・ヘルスケア',
  '教育',
  '不動産',
  'サービス業',
];
const PREFECTURES = [
  '東京都',
  '大阪府',
  '愛知県',
  '神奈川県',
  '福岡県',
  '北海道',
  '宮城県',
  '広島県',
  '京都府',
  '埼玉県',
  '千葉県',
  '兵庫県',
];
const TITLES = [
  '担当',
  '担当',
  '担当',
  '主任',
  '係長',
  '課長',
  '課長',
  '部長',
  '情報システム部長',
  '本部長',
  '執行役員',
  'マネージャー',
];
const LAST = [
  '佐藤',
  '鈴木',
  '高橋',
  '田中',
  '伊藤',
  '渡辺',
  '山本',
  '中村',
  '小林',
  '加藤',
  '吉田',
  '山田',
  '佐々木',
  '山口',
  '松本',
  '井上',
];
const LAST_KANA = [
  'サトウ',
  'スズキ',
  'タカハシ',
  'タナカ',
  'イトウ',
  'ワタナベ',
  'ヤマモト',
  'ナカムラ',
  'コバヤシ',
  'カトウ',
  'ヨシダ',
  'ヤマダ',
  'ササキ',
  'ヤマグチ',
  'マツモト',
  'イノウエ',
];
const FIRST = ['健一', '誠', '翔', '大輔', '直樹', '美咲', '陽子', '恵', '由美', '拓也', '亮', '彩'];
const FIRST_KANA = [
  'ケンイチ',
  'マコト',
  'ショウ',
  'ダイスケ',
  'ナオキ',
  'ミサキ',
  'ヨウコ',
  'メグミ',
  'ユミ',
  'タクヤ',
  'リョウ',
  'アヤ',
];
const PATHS = [
  '/',
  '/product',
  '/product/features',
  '/pricing',
  '/case-studies',
  '/blog/lead-nurturing',
  '/blog/mql',
  '/whitepaper',
  '/seminar',
  '/company',
  '/careers',
  '/pricing/enterprise',
];

/** Stage paths of the synthetic waterfall: final stage → the stages passed through after inquiry. */
const PATHS_BY_STAGE: Record<string, string[]> = {
  inquiry: [],
  mql: ['mql'],
  sal: ['mql', 'sal'],
  sgl: ['sgl'],
  sql: ['mql', 'sal', 'sql'],
  won: ['mql', 'sal', 'sql', 'won'],
  lost: ['mql', 'sal', 'sql', 'lost'],
  recycled: ['mql', 'recycled'],
  disqualified: ['disqualified'],
};

/**
 * Generates the deterministic synthetic workload set-based in SQL (generate_series, no per-row
 * round trips): the same rows on every machine for a given scale. Identifiers are md5-derived
 * UUIDs, times are spread over the 18 months before BENCH_ANCHOR.
 */
export async function generate(db: Db, scale: number, progress: (msg: string) => void): Promise<void> {
  const n = sizes(scale);
  const anchor = `'${BENCH_ANCHOR}'::timestamptz`;
  await db.query(
    `INSERT INTO users (workspace_id, email, name, password_hash, role)
     SELECT 1, 'sales' || i || '@bench.leadflow.test', '営業 ' || i, 'x', 'sales' FROM generate_series(1, $1) i
     ON CONFLICT DO NOTHING`,
    [n.salesUsers],
  );
  progress('accounts');
  await db.query(
    `INSERT INTO accounts (id, workspace_id, name, name_normalized, domain, industry, employee_count, prefecture, created_at)
     SELECT ${uid("'a' || i")}, 1, 'ベンチ株式会社' || i, 'ベンチ' || i, 'c' || i || '.bench.example', ${arr(INDUSTRIES)}[1 + i % 12],
            (ARRAY[20, 60, 150, 400, 900, 1500, 3000, 8000])[1 + (i * 7) % 8], ${arr(PREFECTURES)}[1 + (i * 5) % 12], ${anchor} - interval '600 days'
     FROM generate_series(0, $1 - 1) i`,
    [n.accounts],
  );
  progress('campaigns');
  await db.query(
    `INSERT INTO campaigns (id, workspace_id, name, channel, starts_on, ends_on, cost)
     SELECT ${uid("'c' || i")}, 1, 'ベンチキャンペーン ' || i, ${arr(CHANNELS.slice(0, 8))}[1 + i % 8],
            (${anchor} - make_interval(days => 540 - i * 13))::date, (${anchor} - make_interval(days => 530 - i * 13))::date, (i % 10) * 250000
     FROM generate_series(0, $1 - 1) i`,
    [n.campaigns],
  );
  // Final stage per person by i % 100: 60 inquiry, 12 mql, 8 sal, 2 sgl, 6 sql, 3 won, 3 lost, 4 recycled, 2 disqualified.
  const stageOf = `CASE WHEN i % 100 < 60 THEN 'inquiry' WHEN i % 100 < 72 THEN 'mql' WHEN i % 100 < 80 THEN 'sal'
    WHEN i % 100 < 82 THEN 'sgl' WHEN i % 100 < 88 THEN 'sql' WHEN i % 100 < 91 THEN 'won' WHEN i % 100 < 94 THEN 'lost'
    WHEN i % 100 < 98 THEN 'recycled' ELSE 'disqualified' END`;
  const created = `(${anchor} - make_interval(secs => ((i::bigint * 104729) % ${SPAN_SECONDS})))`;
  for (let from = 0; from < n.people; from += 200_000) {
    const to = Math.min(n.people, from + 200_000) - 1;
    progress(`people ${from.toLocaleString('en')}–${to.toLocaleString('en')}`);
    await db.query(
      `INSERT INTO people (id, workspace_id, email, last_name, first_name, last_name_kana, first_name_kana, company, department, title,
         industry, employee_count, prefecture, country, source, channel, stage, stage_changed_at, account_id, consent, created_at, updated_at)
       SELECT ${uid("'p' || i")}, 1, 'p' || i || '@c' || (i % $3) || '.bench.example',
              ${arr(LAST)}[1 + i % 16], ${arr(FIRST)}[1 + (i / 16) % 12], ${arr(LAST_KANA)}[1 + i % 16], ${arr(FIRST_KANA)}[1 + (i / 16) % 12],
              'ベンチ株式会社' || (i % $3), '情報システム部', ${arr(TITLES)}[1 + (i * 3) % 12],
              ${arr(INDUSTRIES)}[1 + (i % $3) % 12], (ARRAY[20, 60, 150, 400, 900, 1500, 3000, 8000])[1 + ((i % $3) * 7) % 8],
              ${arr(PREFECTURES)}[1 + ((i % $3) * 5) % 12], 'JP', 'bench', ${arr(CHANNELS)}[1 + (i * 31) % 12], ${stageOf},
              ${created}, ${uid("'a' || (i % $3)")}, i % 10 < 8, ${created}, ${created}
       FROM generate_series($1::int, $2::int) i`,
      [from, to, n.accounts],
    );
  }
  progress('stage transitions');
  const pathRows = Object.entries(PATHS_BY_STAGE).flatMap(([final, path]) =>
    path.map((to, k) => `('${final}', ${k + 1}, '${k === 0 ? 'inquiry' : path[k - 1]}', '${to}')`),
  );
  for (let from = 0; from < n.people; from += 500_000) {
    const to = Math.min(n.people, from + 500_000) - 1;
    await db.query(
      `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, reason)
       SELECT 1, ${uid("'p' || i")}, NULL, 'inquiry', ${created}, 'system', 'bench'
       FROM generate_series($1::int, $2::int) i
       UNION ALL
       SELECT 1, ${uid("'p' || i")}, path.from_stage, path.to_stage,
              least(${created} + make_interval(days => path.seq * (3 + i % 25)), ${anchor}), 'system', 'bench'
       FROM generate_series($1::int, $2::int) i
       JOIN (VALUES ${pathRows.join(',')}) AS path(final, seq, from_stage, to_stage) ON path.final = ${stageOf}`,
      [from, to],
    );
  }
  await db.query(
    `UPDATE people p SET stage_changed_at = t.at FROM (
       SELECT person_id, max(at) AS at FROM stage_transitions WHERE workspace_id = 1 GROUP BY person_id) t
     WHERE p.id = t.person_id AND p.stage_changed_at <> t.at`,
  );
  progress('opportunities and campaign members');
  await db.query(
    `INSERT INTO opportunities (workspace_id, person_id, account_id, name, amount, stage, status, closed_at, loss_reason, created_at)
     SELECT 1, p.id, p.account_id, p.company || ' 導入案件', 1000000 + (abs(hashtext(p.email)) % 30) * 500000, 'negotiation',
            CASE p.stage WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost' ELSE 'open' END,
            CASE WHEN p.stage IN ('won', 'lost') THEN p.stage_changed_at END, CASE WHEN p.stage = 'lost' THEN '競合' END, p.created_at
     FROM people p WHERE p.workspace_id = 1 AND p.stage IN ('sql', 'won', 'lost')`,
  );
  await db.query(
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at, updated_at)
     SELECT 1, ${uid("'c' || (i % $2)")}, ${uid("'p' || i")}, (ARRAY['member', 'registered', 'attended', 'no_show'])[1 + i % 4], ${created}, ${created}
     FROM generate_series(0, $1 - 1) i WHERE i % 5 = 0`,
    [n.people, n.campaigns],
  );
  // Activities: 55% page views, then mail, downloads, forms, events, sales touches.
  const typeOf = `CASE WHEN i % 100 < 55 THEN 'page_view' WHEN i % 100 < 70 THEN 'email_sent' WHEN i % 100 < 80 THEN 'email_open'
    WHEN i % 100 < 84 THEN 'email_click' WHEN i % 100 < 89 THEN 'content_download' WHEN i % 100 < 92 THEN 'form_submit'
    WHEN i % 100 < 95 THEN 'event_registered' WHEN i % 100 < 97 THEN 'event_attended' WHEN i % 100 < 99 THEN 'sales_call' ELSE 'meeting' END`;
  const chunk = 1_000_000;
  for (let from = 0; from < n.activities; from += chunk) {
    const to = Math.min(n.activities, from + chunk) - 1;
    progress(`activities ${from.toLocaleString('en')}–${to.toLocaleString('en')}`);
    await db.query(
      `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id, created_at)
       SELECT 1, ${uid("'p' || ((i::bigint * 48271) % $3)")}, ${typeOf},
              ${anchor} - make_interval(secs => ((i::bigint * 7919) % ${SPAN_SECONDS})),
              CASE WHEN i % 100 < 55 THEN jsonb_build_object('url', 'https://www.example.jp' || ${arr(PATHS)}[1 + (i / 100) % 12]) ELSE '{}'::jsonb END,
              CASE WHEN i % 100 >= 89 AND i % 100 < 97 THEN ${uid("'c' || (i % $4)")} END,
              ${anchor}
       FROM generate_series($1::int, $2::int) i`,
      [from, to, n.people, n.campaigns],
    );
  }
  // A database in use has had autovacuum go over its tables: the visibility map is set, so the
  // activity conditions of segments read index-only. Right after a bulk load it is not, and the
  // first measured workloads would see whichever tables autovacuum happened to reach (a segment
  // at 1M people counted in 2.0 s over a sequential scan of 10M activities, 0.85 s index-only).
  progress('vacuum and analyze');
  await db.query('VACUUM (ANALYZE)');
}
