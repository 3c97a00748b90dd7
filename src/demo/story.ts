import type { Queryable } from '../platform/db/client.ts';
import type { SeedContext } from '../platform/feature.ts';
import { normalizeCompanyName } from '../people/normalize.ts';
import { pick, weighted } from './random.ts';
import { COMPANIES, DEPARTMENTS, FAMILY_NAMES, GIVEN_NAMES, PAGES, TITLES } from './story-data.ts';

/**
 * The foundation's demo story: a Japanese B2B software vendor's last 18 months.
 * The team (marketing, a sales manager and four reps), 32 customer companies, 8 campaigns of
 * every channel with costs, 1,000 people with kana and titles, their activities, their stage
 * histories through the whole Demand Waterfall, and the deals that closed. Deterministic for a
 * given seed and "now" (dates are relative to the clock, so "this month" always has data).
 * Written set-based: a handful of multi-row statements.
 */

const DAY = 86_400_000;

export const DEMO_USERS = [
  { email: 'admin@demo.leadflow.jp', name: '管理者 太郎', role: 'admin' },
  { email: 'marketing@demo.leadflow.jp', name: '山本 美咲', role: 'marketing' },
  { email: 'sales-manager@demo.leadflow.jp', name: '松本 浩', role: 'sales' },
  { email: 'sato@demo.leadflow.jp', name: '佐藤 大輔', role: 'sales' },
  { email: 'suzuki@demo.leadflow.jp', name: '鈴木 翔太', role: 'sales' },
  { email: 'tanaka@demo.leadflow.jp', name: '田中 彩', role: 'sales' },
  { email: 'ito@demo.leadflow.jp', name: '伊藤 亮', role: 'sales' },
  { email: 'viewer@demo.leadflow.jp', name: '閲覧 専用', role: 'viewer' },
] as const;

/** The demo's star lead: the scoring rules make him an MQL (issue 4). */
export const TAKAHASHI_EMAIL = 'kenichi.takahashi@towa-seiki.co.jp';

interface CampaignSpec {
  key: string;
  name: (now: Date) => string;
  channel: string;
  /** Months before now that it started and ended (0 = this month). */
  from: number;
  to: number;
  cost: number;
  /** Relative weight as a first touch. */
  weight: number;
}

const season = (d: Date) => `${d.getUTCFullYear()}${d.getUTCMonth() < 6 ? '春' : '秋'}`;
const monthsAgo = (now: Date, m: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - m, 10));

const CAMPAIGNS: CampaignSpec[] = [
  { key: 'tradeshow', name: (n) => `展示会 ${season(monthsAgo(n, 5))}（Japan DX Week）`, channel: 'tradeshow', from: 5, to: 5, cost: 3_500_000, weight: 16 },
  { key: 'seminar', name: () => 'DX推進セミナー 東京', channel: 'seminar', from: 9, to: 9, cost: 800_000, weight: 8 },
  { key: 'webinar', name: () => 'ウェビナー「製造業のデータ活用」', channel: 'webinar', from: 3, to: 3, cost: 300_000, weight: 12 },
  { key: 'document_request', name: () => 'ホワイトペーパー資料請求', channel: 'document_request', from: 17, to: 0, cost: 600_000, weight: 18 },
  { key: 'ads', name: () => 'リスティング広告', channel: 'ads', from: 12, to: 0, cost: 2_400_000, weight: 14 },
  { key: 'newsletter', name: () => 'メルマガ（月次）', channel: 'newsletter', from: 17, to: 0, cost: 120_000, weight: 6 },
  { key: 'business_card', name: () => '名刺交換（営業）', channel: 'business_card', from: 17, to: 0, cost: 0, weight: 10 },
  { key: 'telemarketing', name: (n) => `テレアポ ${monthsAgo(n, 6).getUTCFullYear()}`, channel: 'telemarketing', from: 6, to: 1, cost: 1_200_000, weight: 8 },
];

const FREE_MAIL = ['gmail.com', 'yahoo.co.jp', 'outlook.jp', 'docomo.ne.jp'];
const LOSS_REASONS = ['価格', '競合', '時期尚早', '予算なし', '機能不足'];
/** Sales stages (keys of the pipeline's stage list: 初回商談, 提案, 見積, 交渉). */
const OPP_STAGES_OPEN = ['qualification', 'proposal', 'quote', 'negotiation'];

interface PersonRow {
  id: string;
  email: string;
  lastName: string;
  firstName: string;
  lastNameKana: string;
  firstNameKana: string;
  company: string;
  department: string;
  title: string;
  phone: string;
  industry: string;
  employeeCount: number;
  prefecture: string;
  source: string;
  channel: string;
  stage: string;
  stageChangedAt: Date;
  ownerId: string | null;
  accountId: string | null;
  consent: boolean;
  createdAt: Date;
}

interface Transition {
  personId: string;
  from: string | null;
  to: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  reason: string | null;
}

interface Activity {
  personId: string;
  type: string;
  at: Date;
  properties: Record<string, unknown>;
  campaignId: string | null;
}

interface Opportunity {
  personId: string;
  accountId: string | null;
  ownerId: string;
  name: string;
  amount: number;
  stage: string;
  status: 'open' | 'won' | 'lost';
  lossReason: string | null;
  expectedClose: string;
  closedAt: Date | null;
  createdAt: Date;
}

interface Member {
  campaignId: string;
  personId: string;
  status: string;
  at: Date;
}

export async function seedStory(ctx: SeedContext, passwordHash: string): Promise<void> {
  const { random } = ctx;
  const now = ctx.clock.now();
  const uuid = uuidFactory(random);
  const start = new Date(now.getTime() - 540 * DAY);

  // The team.
  const userIds = new Map<string, string>();
  for (const u of DEMO_USERS) userIds.set(u.email, uuid());
  const salesManager = userIds.get('sales-manager@demo.leadflow.jp') as string;
  const reps = ['sato', 'suzuki', 'tanaka', 'ito'].map((k) => userIds.get(`${k}@demo.leadflow.jp`) as string);
  await ctx.db.query(
    `INSERT INTO users (id, workspace_id, email, name, password_hash, role, manager_id, created_at)
     SELECT id, 1, email, name, $4, role, CASE WHEN role = 'sales' AND id <> $5 THEN $5::uuid END, $6
     FROM unnest($1::uuid[], $2::text[], $3::text[], $7::text[]) AS u(id, email, name, role)
     ON CONFLICT (workspace_id, email) DO NOTHING`,
    [DEMO_USERS.map((u) => userIds.get(u.email)), DEMO_USERS.map((u) => u.email), DEMO_USERS.map((u) => u.name), passwordHash, salesManager, start, DEMO_USERS.map((u) => u.role)],
  );
  // Users that existed already (a second seed) keep their ids.
  const existing = await ctx.db.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE workspace_id = 1');
  for (const r of existing.rows) userIds.set(r.email, r.id);
  reps.splice(0, reps.length, ...['sato', 'suzuki', 'tanaka', 'ito'].map((k) => userIds.get(`${k}@demo.leadflow.jp`) as string));

  // The companies; the larger ones have a named account owner.
  const accounts = COMPANIES.map((c, i) => ({ ...c, id: uuid(), ownerId: c.employees >= 1000 ? reps[i % reps.length] : null }));
  await ctx.db.query(
    `INSERT INTO accounts (id, workspace_id, name, name_normalized, domain, industry, employee_count, prefecture, owner_id, created_at)
     SELECT id, 1, name, norm, domain, industry, emp, pref, owner, $9 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::uuid[])
       AS a(id, name, norm, domain, industry, emp, pref, owner)`,
    [
      accounts.map((a) => a.id),
      accounts.map((a) => a.name),
      accounts.map((a) => normalizeCompanyName(a.name)),
      accounts.map((a) => a.domain),
      accounts.map((a) => a.industry),
      accounts.map((a) => a.employees),
      accounts.map((a) => a.prefecture),
      accounts.map((a) => a.ownerId),
      start,
    ],
  );

  // The campaigns.
  const campaigns = CAMPAIGNS.map((c) => ({ ...c, id: uuid(), title: c.name(now), startsOn: monthsAgo(now, c.from), endsOn: c.from === c.to ? monthsAgo(now, c.to) : endOfMonth(monthsAgo(now, c.to)) }));
  await ctx.db.query(
    `INSERT INTO campaigns (id, workspace_id, name, channel, starts_on, ends_on, cost, description, created_at)
     SELECT id, 1, name, channel, s, e, cost, d, s::timestamptz - interval '20 days' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::date[], $6::bigint[], $7::text[])
       AS c(id, name, channel, s, e, cost, d)`,
    [
      campaigns.map((c) => c.id),
      campaigns.map((c) => c.title),
      campaigns.map((c) => c.channel),
      campaigns.map((c) => isoDate(c.startsOn)),
      campaigns.map((c) => isoDate(c.endsOn)),
      campaigns.map((c) => c.cost),
      campaigns.map((c) => `デモ: ${c.title}`),
    ],
  );

  const people: PersonRow[] = [];
  const transitions: Transition[] = [];
  const activities: Activity[] = [];
  const opportunities: Opportunity[] = [];
  const members: Member[] = [];
  const emails = new Set<string>();
  let rr = 0;

  const campaignAt = (c: (typeof campaigns)[number]): Date | null => {
    // One-off events touch people on their day; ongoing campaigns any time in their window.
    const from = c.startsOn.getTime();
    const to = Math.min(c.from === c.to ? from : endOfMonth(monthsAgo(now, c.to)).getTime(), now.getTime() - DAY);
    if (to < from) return null;
    return new Date(from + random() * (to - from));
  };

  for (let i = 0; i < 1000; i++) {
    const family = pick(random, FAMILY_NAMES);
    const given = pick(random, GIVEN_NAMES);
    const freeMail = random() < 0.07;
    const account = weighted(random, accounts.map((a) => [a, Math.sqrt(a.employees)] as const));
    const domain = freeMail ? pick(random, FREE_MAIL) : account.domain;
    let email = `${given.romaji}.${family.romaji}@${domain}`;
    for (let n = 2; emails.has(email); n++) email = `${given.romaji}.${family.romaji}${n}@${domain}`;
    emails.add(email);

    const first = weighted(random, [...campaigns.map((c) => [c, c.weight] as const), [null, 8] as const]);
    let createdAt = first ? campaignAt(first) : null;
    if (!createdAt) createdAt = new Date(start.getTime() + Math.pow(random(), 0.8) * (now.getTime() - start.getTime() - DAY));
    const id = uuid();
    const title = weighted(random, TITLES);
    const person: PersonRow = {
      id,
      email,
      lastName: family.kanji,
      firstName: given.kanji,
      lastNameKana: family.kana,
      firstNameKana: given.kana,
      company: account.name,
      department: pick(random, DEPARTMENTS),
      title,
      phone: `0${Math.floor(random() * 9) + 1}-${String(Math.floor(random() * 9000) + 1000)}-${String(Math.floor(random() * 9000) + 1000)}`,
      industry: account.industry,
      employeeCount: account.employees,
      prefecture: account.prefecture,
      source: first ? first.title : 'organic',
      channel: first ? first.channel : 'web',
      stage: 'inquiry',
      stageChangedAt: createdAt,
      ownerId: null,
      accountId: freeMail ? null : account.id,
      consent: random() < 0.85,
      createdAt,
    };
    people.push(person);

    // First touch.
    if (first) members.push({ campaignId: first.id, personId: id, status: memberStatus(first.channel, random), at: createdAt });
    activities.push(...firstTouchActivities(person, first?.channel ?? 'web', first?.id ?? null, createdAt, random));
    // Later touches: more campaigns, browsing, newsletters.
    for (const c of campaigns) {
      if (c === first || random() > 0.12) continue;
      const at = campaignAt(c);
      if (!at || at <= createdAt) continue;
      members.push({ campaignId: c.id, personId: id, status: memberStatus(c.channel, random), at });
      activities.push(...touchActivities(id, c.channel, c.id, at, random));
    }
    const visits = Math.floor(random() * 12);
    for (let v = 0; v < visits; v++) {
      const at = new Date(createdAt.getTime() + random() * (now.getTime() - createdAt.getTime()));
      activities.push({ personId: id, type: 'page_view', at, properties: { url: `https://www.example-saas.jp${weighted(random, PAGES)}` }, campaignId: null });
    }
    if (person.consent) {
      const newsletter = campaigns.find((c) => c.key === 'newsletter');
      for (let t = createdAt.getTime() + 20 * DAY; t < now.getTime(); t += 30 * DAY) {
        const at = new Date(t);
        activities.push({ personId: id, type: 'email_sent', at, properties: { subject: '月刊 DX通信' }, campaignId: newsletter?.id ?? null });
        if (random() < 0.35) activities.push({ personId: id, type: 'email_open', at: new Date(t + 3 * 3_600_000), properties: {}, campaignId: newsletter?.id ?? null });
        if (random() < 0.08) activities.push({ personId: id, type: 'email_click', at: new Date(t + 4 * 3_600_000), properties: { url: 'https://www.example-saas.jp/case-studies' }, campaignId: newsletter?.id ?? null });
      }
    }

    // The stage history.
    walkStages(person, transitions, opportunities, { now, random, reps, accountOwner: person.accountId ? account.ownerId : null, nextRep: () => reps[rr++ % reps.length] });
  }

  addTakahashi(people, activities, members, accounts, campaigns, now, uuid);

  await insertPeople(ctx.db, people);
  await insertChunks(ctx.db, transitions, 2000, (rows) => [
    `INSERT INTO stage_transitions (workspace_id, person_id, from_stage, to_stage, at, actor_type, actor_id, reason)
     SELECT 1, p, f, t, a, at_, ai, r FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS x(p, f, t, a, at_, ai, r)`,
    [rows.map((r) => r.personId), rows.map((r) => r.from), rows.map((r) => r.to), rows.map((r) => r.at), rows.map((r) => r.actorType), rows.map((r) => r.actorId), rows.map((r) => r.reason)],
  ]);
  activities.sort((a, b) => a.at.getTime() - b.at.getTime());
  await insertChunks(ctx.db, activities, 5000, (rows) => [
    `INSERT INTO activities (workspace_id, person_id, type, occurred_at, properties, campaign_id, created_at)
     SELECT 1, p, t, a, pr::jsonb, c, a FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::uuid[]) AS x(p, t, a, pr, c)`,
    [rows.map((r) => r.personId), rows.map((r) => r.type), rows.map((r) => r.at), rows.map((r) => JSON.stringify(r.properties)), rows.map((r) => r.campaignId)],
  ]);
  await insertChunks(ctx.db, members, 5000, (rows) => [
    `INSERT INTO campaign_members (workspace_id, campaign_id, person_id, status, joined_at, updated_at)
     SELECT 1, c, p, s, a, a FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[]) AS x(c, p, s, a)
     ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.campaignId), rows.map((r) => r.personId), rows.map((r) => r.status), rows.map((r) => r.at)],
  ]);
  await insertChunks(ctx.db, opportunities, 2000, (rows) => [
    `INSERT INTO opportunities (workspace_id, person_id, account_id, owner_id, name, amount, stage, status, loss_reason, expected_close_date, closed_at, created_at, updated_at)
     SELECT 1, p, a, o, n, am, st, s, lr, ec, ca, cr, coalesce(ca, cr)
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::date[], $10::timestamptz[], $11::timestamptz[])
       AS x(p, a, o, n, am, st, s, lr, ec, ca, cr)`,
    [
      rows.map((r) => r.personId),
      rows.map((r) => r.accountId),
      rows.map((r) => r.ownerId),
      rows.map((r) => r.name),
      rows.map((r) => r.amount),
      rows.map((r) => r.stage),
      rows.map((r) => r.status),
      rows.map((r) => r.lossReason),
      rows.map((r) => r.expectedClose),
      rows.map((r) => r.closedAt),
      rows.map((r) => r.createdAt),
    ],
  ]);
  ctx.log.info({ people: people.length, activities: activities.length, transitions: transitions.length, opportunities: opportunities.length }, 'demo story loaded');
}

function walkStages(
  p: PersonRow,
  out: Transition[],
  opps: Opportunity[],
  env: { now: Date; random: () => number; reps: string[]; accountOwner: string | null; nextRep: () => string },
): void {
  const { now, random } = env;
  let at = p.createdAt;
  let stage = 'inquiry';
  const move = (to: string, days: number, actorType: string, actorId: string | null, reason: string | null): boolean => {
    const next = new Date(at.getTime() + days * DAY);
    if (next >= now) return false;
    out.push({ personId: p.id, from: stage, to, at: next, actorType, actorId, reason });
    stage = to;
    at = next;
    return true;
  };
  out.push({ personId: p.id, from: null, to: 'inquiry', at, actorType: p.channel === 'business_card' || p.channel === 'tradeshow' ? 'import' : 'system', actorId: null, reason: p.source });
  const owner = () => p.ownerId ?? (p.ownerId = env.accountOwner ?? env.nextRep());
  const outbound = p.channel === 'business_card' || p.channel === 'telemarketing';
  const senior = /部長|役員|取締役|本部長/.test(p.title);

  const qualify = (): void => {
    const r = random();
    if (outbound && r < 0.3) {
      if (!move('sgl', 2 + random() * 20, 'user', owner(), '営業起点のリード（アウトバウンド）')) return;
      if (random() < 0.65 && move('sql', 5 + random() * 25, 'user', owner(), '商談化')) return deal();
      return;
    }
    if (r < (senior ? 0.55 : 0.32)) {
      if (!move('mql', 5 + random() * 60, 'rule', 'demo-history', 'スコアが MQL 条件を満たした（デモ履歴）')) return;
      owner();
      const s = random();
      if (s < 0.62) {
        if (!move('sal', 0.5 + random() * 4, 'user', owner(), '受付')) return;
        const t = random();
        if (t < 0.55) {
          if (move('sql', 7 + random() * 30, 'user', owner(), '商談化')) deal();
        } else if (t < 0.75) {
          if (move('recycled', 10 + random() * 30, 'user', owner(), '時期尚早')) recycle();
        } else if (t < 0.82) move('disqualified', 10 + random() * 20, 'user', owner(), '担当者違い');
      } else if (s < 0.8) {
        if (move('recycled', 1 + random() * 5, 'user', owner(), pick(random, ['予算なし', '時期尚早', '担当者違い']))) recycle();
      } else if (s < 0.86) move('disqualified', 1 + random() * 5, 'user', owner(), '競合');
      return;
    }
    if (r > 0.95) move('disqualified', 3 + random() * 30, 'user', null, '学生・求職者');
  };
  const recycle = (): void => {
    if (random() < 0.25 && move('mql', 40 + random() * 90, 'rule', 'demo-history', '再エンゲージメント（デモ履歴）')) {
      if (random() < 0.6 && move('sal', 1 + random() * 3, 'user', owner(), '受付') && random() < 0.5 && move('sql', 10 + random() * 20, 'user', owner(), '商談化')) deal();
    }
  };
  const deal = (): void => {
    const createdAt = at;
    const amount = Math.round((1 + random() * 29) * 10) * 100_000;
    const r = random();
    const closeDays = 20 + random() * 90;
    const closeAt = new Date(createdAt.getTime() + closeDays * DAY);
    const base = { personId: p.id, accountId: p.accountId, ownerId: owner(), name: `${p.company} 導入案件`, amount, createdAt, expectedClose: isoDate(closeAt) };
    if (r < 0.7 && closeAt < now) {
      const won = random() < 0.45;
      opps.push({ ...base, stage: 'negotiation', status: won ? 'won' : 'lost', lossReason: won ? null : pick(random, LOSS_REASONS), closedAt: closeAt });
      move(won ? 'won' : 'lost', closeDays, 'user', owner(), won ? '受注' : '失注');
      if (!won && random() < 0.5) move('recycled', 90, 'system', null, '失注後の再育成');
    } else {
      opps.push({ ...base, stage: pick(random, OPP_STAGES_OPEN), status: 'open', lossReason: null, closedAt: null });
    }
  };
  qualify();
  p.stage = stage;
  p.stageChangedAt = at;
}

function addTakahashi(
  people: PersonRow[],
  activities: Activity[],
  members: Member[],
  accounts: { id: string; domain: string }[],
  campaigns: { id: string; key: string; title: string }[],
  now: Date,
  uuid: () => string,
): void {
  const account = accounts.find((a) => a.domain === 'towa-seiki.co.jp');
  const webinar = campaigns.find((c) => c.key === 'webinar');
  const id = uuid();
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY - hours * 3_600_000);
  people.push({
    id,
    email: TAKAHASHI_EMAIL,
    lastName: '高橋',
    firstName: '健一',
    lastNameKana: 'タカハシ',
    firstNameKana: 'ケンイチ',
    company: '東和精機株式会社',
    department: '情報システム部',
    title: '情報システム部長',
    phone: '052-555-0134',
    industry: '製造業',
    employeeCount: 1500,
    prefecture: '愛知県',
    source: webinar?.title ?? 'webinar',
    channel: 'webinar',
    stage: 'inquiry',
    stageChangedAt: ago(12),
    ownerId: null,
    accountId: account?.id ?? null,
    consent: true,
    createdAt: ago(12),
  });
  if (webinar) members.push({ campaignId: webinar.id, personId: id, status: 'attended', at: ago(12) });
  activities.push(
    { personId: id, type: 'event_registered', at: ago(12), properties: { name: webinar?.title }, campaignId: webinar?.id ?? null },
    { personId: id, type: 'event_attended', at: ago(10), properties: { name: webinar?.title }, campaignId: webinar?.id ?? null },
    { personId: id, type: 'content_download', at: ago(5), properties: { asset: '製造業DX ホワイトペーパー', url: 'https://www.example-saas.jp/whitepaper/manufacturing-dx' }, campaignId: null },
    { personId: id, type: 'page_view', at: ago(1, 5), properties: { url: 'https://www.example-saas.jp/pricing' }, campaignId: null },
    { personId: id, type: 'page_view', at: ago(1, 3), properties: { url: 'https://www.example-saas.jp/pricing' }, campaignId: null },
    { personId: id, type: 'page_view', at: ago(1, 1), properties: { url: 'https://www.example-saas.jp/pricing' }, campaignId: null },
  );
}

function firstTouchActivities(p: PersonRow, channel: string, campaignId: string | null, at: Date, random: () => number): Activity[] {
  const acts: Activity[] = [];
  const url = (path: string) => `https://www.example-saas.jp${path}`;
  switch (channel) {
    case 'document_request':
      acts.push({ personId: p.id, type: 'form_submit', at, properties: { form: '資料請求フォーム', url: url('/download') }, campaignId });
      acts.push({ personId: p.id, type: 'content_download', at, properties: { asset: '製品カタログ', url: url('/whitepaper/catalog') }, campaignId });
      break;
    case 'ads':
      acts.push({ personId: p.id, type: 'page_view', at: new Date(at.getTime() - 600_000), properties: { url: url('/lp/dx?utm_source=google&utm_medium=cpc'), utm_source: 'google', utm_medium: 'cpc' }, campaignId });
      acts.push({ personId: p.id, type: 'form_submit', at, properties: { form: 'お問い合わせ' }, campaignId });
      break;
    case 'tradeshow':
    case 'business_card':
      acts.push({ personId: p.id, type: 'import', at, properties: { file: channel === 'tradeshow' ? '展示会名刺リスト.csv' : '名刺データ.csv' }, campaignId });
      break;
    case 'seminar':
    case 'webinar':
      acts.push(...touchActivities(p.id, channel, campaignId, at, random));
      break;
    case 'telemarketing':
      acts.push({ personId: p.id, type: 'sales_call', at, properties: { result: '資料送付' }, campaignId });
      break;
    default:
      acts.push({ personId: p.id, type: 'page_view', at, properties: { url: url('/') }, campaignId });
      acts.push({ personId: p.id, type: 'form_submit', at: new Date(at.getTime() + 300_000), properties: { form: 'ニュースレター登録' }, campaignId });
  }
  return acts;
}

function touchActivities(personId: string, channel: string, campaignId: string | null, at: Date, random: () => number): Activity[] {
  if (channel === 'seminar' || channel === 'webinar') {
    const acts: Activity[] = [{ personId, type: 'event_registered', at: new Date(at.getTime() - 7 * DAY), properties: {}, campaignId }];
    if (random() < 0.65) acts.push({ personId, type: 'event_attended', at, properties: {}, campaignId });
    return acts;
  }
  if (channel === 'document_request') return [{ personId, type: 'content_download', at, properties: { asset: '導入事例集', url: 'https://www.example-saas.jp/whitepaper/cases' }, campaignId }];
  if (channel === 'telemarketing') return [{ personId, type: 'sales_call', at, properties: {}, campaignId }];
  return [{ personId, type: 'page_view', at, properties: { url: 'https://www.example-saas.jp/product' }, campaignId }];
}

function memberStatus(channel: string, random: () => number): string {
  if (channel === 'tradeshow' || channel === 'business_card') return 'attended';
  if (channel === 'seminar' || channel === 'webinar') return random() < 0.65 ? 'attended' : random() < 0.5 ? 'no_show' : 'registered';
  return 'member';
}

async function insertPeople(q: Queryable, people: PersonRow[]): Promise<void> {
  await insertChunks(q, people, 1000, (rows) => {
    const col = <K extends keyof PersonRow>(k: K) => rows.map((r) => r[k]);
    return [
      `INSERT INTO people (id, workspace_id, email, last_name, first_name, last_name_kana, first_name_kana, company, department, title, phone,
         industry, employee_count, prefecture, country, source, channel, stage, stage_changed_at, owner_id, account_id, consent, consent_at, created_at, updated_at)
       SELECT id, 1, e, ln, fn, lk, fk, co, de, ti, ph, ind, emp, pref, 'JP', src, ch, st, sca, ow, ac, cons, CASE WHEN cons THEN cr END, cr, greatest(cr, sca)
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
         $12::int[], $13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[], $18::uuid[], $19::uuid[], $20::bool[], $21::timestamptz[])
         AS x(id, e, ln, fn, lk, fk, co, de, ti, ph, ind, emp, pref, src, ch, st, sca, ow, ac, cons, cr)`,
      [
        col('id'), col('email'), col('lastName'), col('firstName'), col('lastNameKana'), col('firstNameKana'), col('company'), col('department'), col('title'), col('phone'),
        col('industry'), col('employeeCount'), col('prefecture'), col('source'), col('channel'), col('stage'), col('stageChangedAt'), col('ownerId'), col('accountId'), col('consent'), col('createdAt'),
      ],
    ];
  });
}

async function insertChunks<T>(q: Queryable, rows: T[], size: number, statement: (chunk: T[]) => [string, unknown[]]): Promise<void> {
  for (let i = 0; i < rows.length; i += size) {
    const [sql, params] = statement(rows.slice(i, i + size));
    await q.query(sql, params);
  }
}

function uuidFactory(random: () => number): () => string {
  const hex = (n: number) => Math.floor(random() * 16 ** n).toString(16).padStart(n, '0');
  return () => `${hex(8)}-${hex(4)}-4${hex(3)}-${((8 + Math.floor(random() * 4)).toString(16))}${hex(3)}-${hex(6)}${hex(6)}`;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const endOfMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
