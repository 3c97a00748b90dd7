import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import { type ActivityFacts, likeContains, scorePerson } from './evaluate.ts';
import type { RuleSet } from './rule-set.ts';
import { checkRuleSet } from './validate.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const daysAgo = (d: number, h = 0) => new Date(NOW.getTime() - d * 86_400_000 - h * 3_600_000);
const view = (url: string, at: Date): ActivityFacts => ({ type: 'page_view', occurredAt: at, properties: { url } });

const base: RuleSet = {
  version: 1,
  halfLifeDays: null,
  fitGrades: { A: 60, B: 40, C: 20 },
  mql: { all: [{ fitGradeAtLeast: 'B' }, { engagementAtLeast: 30 }] },
  rules: [],
};

describe('fit rules', () => {
  const set: RuleSet = {
    ...base,
    rules: [
      { id: 'mfg', name: '製造業', kind: 'fit', when: { field: 'industry', op: 'in', values: ['製造業'] }, points: 20 },
      { id: 'big', name: '1,000名以上', kind: 'fit', when: { field: 'employeeCount', op: 'between', min: 1000 }, points: 25 },
      {
        id: 'mgr',
        name: '部長',
        kind: 'fit',
        when: { all: [{ field: 'title', op: 'contains', values: ['部長'] }, { field: 'title', op: 'notContains', values: ['本部長'] }] },
        points: 15,
      },
      { id: 'rival', name: '競合', kind: 'fit', when: { field: 'emailDomain', op: 'in', values: ['rival.jp'] }, points: -100 },
      { id: 'plan', name: 'プラン', kind: 'fit', when: { field: 'customFields.plan', op: 'in', values: ['enterprise'] }, points: 5 },
    ],
  };

  it('adds the points of every matching profile rule and grades the sum with the cut-offs', () => {
    const s = scorePerson(set, { email: 'k@towa.jp', industry: '製造業', employeeCount: 1500, title: '情報システム部長', customFields: { plan: 'Enterprise' } }, [], NOW);
    expect(s.fitScore).toBe(65);
    expect(s.fitGrade).toBe('A');
    expect(s.contributions.map((c) => c.ruleId)).toEqual(['mfg', 'big', 'mgr', 'plan']);
  });

  it('treats a missing value as not matching, and keyword exclusions as matching', () => {
    const s = scorePerson(set, { email: 'x@y.jp', title: '本部長' }, [], NOW);
    expect(s.fitScore).toBe(0);
    expect(s.fitGrade).toBe('D');
  });

  it('lets a competitor domain sink the grade with a negative rule', () => {
    const s = scorePerson(set, { email: 'spy@rival.jp', industry: '製造業', employeeCount: 5000 }, [], NOW);
    expect(s.fitScore).toBe(-55);
    expect(s.fitGrade).toBe('D');
  });
});

describe('engagement rules', () => {
  it('counts a capped rule at most N times, keeping the most recent', () => {
    const set: RuleSet = { ...base, rules: [{ id: 'p', name: '料金', kind: 'engagement', when: { types: ['page_view'], urls: ['/pricing'] }, points: 10, maxCount: 2 }] };
    const acts = [view('https://x.jp/pricing', daysAgo(1)), view('https://x.jp/pricing?a=1', daysAgo(2)), view('/PRICING', daysAgo(3)), view('/about', daysAgo(1))];
    const s = scorePerson(set, { email: 'a@b.jp' }, acts, NOW);
    expect(s.contributions).toEqual([{ ruleId: 'p', name: '料金', kind: 'engagement', points: 20, count: 2 }]);
  });

  it('caps per period: at most one e-mail click a day', () => {
    const set: RuleSet = {
      ...base,
      rules: [{ id: 'c', name: 'click', kind: 'engagement', when: { types: ['email_click'] }, points: 3, perPeriod: { max: 1, days: 1 } }],
    };
    const day = new Date('2026-11-18T00:00:00Z').getTime();
    const acts = [1, 2, 5].map((h) => ({ type: 'email_click', occurredAt: new Date(day + h * 3_600_000) }));
    acts.push({ type: 'email_click', occurredAt: new Date(day - 3_600_000) });
    expect(scorePerson(set, { email: 'a@b.jp' }, acts, NOW).engagementScore).toBe(6);
  });

  it('halves points every half-life, per rule set or per rule, and never decays a rule with null', () => {
    const set: RuleSet = {
      ...base,
      halfLifeDays: 30,
      rules: [
        { id: 'dl', name: 'DL', kind: 'engagement', when: { types: ['content_download'] }, points: 20 },
        { id: 'web', name: 'webinar', kind: 'engagement', when: { types: ['event_attended'] }, points: 20, halfLifeDays: 60 },
        { id: 'unsub', name: 'unsub', kind: 'engagement', when: { types: ['unsubscribe'] }, points: -20, halfLifeDays: null },
      ],
    };
    const acts = [
      { type: 'content_download', occurredAt: daysAgo(30) },
      { type: 'event_attended', occurredAt: daysAgo(60) },
      { type: 'unsubscribe', occurredAt: daysAgo(300) },
    ];
    const s = scorePerson(set, { email: 'a@b.jp' }, acts, NOW);
    expect(s.contributions.map((c) => c.points)).toEqual([10, 10, -20]);
    expect(s.engagementScore).toBe(0);
  });

  it('ignores activities after the moment scored and outside a rule window', () => {
    const set: RuleSet = { ...base, rules: [{ id: 'f', name: 'form', kind: 'engagement', when: { types: ['form_submit'], withinDays: 30 }, points: 10 }] };
    const acts = [
      { type: 'form_submit', occurredAt: daysAgo(10) },
      { type: 'form_submit', occurredAt: daysAgo(31) },
      { type: 'form_submit', occurredAt: new Date(NOW.getTime() + 1000) },
    ];
    expect(scorePerson(set, { email: 'a@b.jp' }, acts, NOW).engagementScore).toBe(10);
  });

  it('matches URL patterns with * as a wildcard and nothing else special', () => {
    expect(likeContains('https://x.jp/products/a/pricing', '/products/*/pricing')).toBe(true);
    expect(likeContains('https://x.jp/pricing', '/products/*/pricing')).toBe(false);
    expect(likeContains('https://x.jp/a.b', 'a_b')).toBe(false);
  });
});

describe('the default rule set', () => {
  it('is valid and makes the 情報システム部長 of a 1,500-person manufacturer who read pricing, downloaded and attended an MQL', () => {
    const checked = checkRuleSet(DEFAULT_RULE_SET);
    expect(checked.ok).toBe(true);
    const set = { ...DEFAULT_RULE_SET, version: 1 };
    const day = daysAgo(5);
    const acts: ActivityFacts[] = [
      view('https://www.example.jp/pricing', day),
      view('https://www.example.jp/pricing', new Date(day.getTime() + 3_600_000)),
      view('https://www.example.jp/pricing', new Date(day.getTime() + 7_200_000)),
      { type: 'content_download', occurredAt: daysAgo(12), properties: { asset: 'DX推進ホワイトペーパー' } },
      { type: 'event_attended', occurredAt: daysAgo(20) },
    ];
    const s = scorePerson(set, { email: 'kenichi.takahashi@towa-seiki.co.jp', title: '情報システム部長', employeeCount: 1500, industry: '製造業' }, acts, NOW);
    expect(s.fitGrade).toBe('A');
    expect(s.engagementScore).toBeGreaterThanOrEqual(60);
    expect(s.mql).toBe(true);
    const sum = s.contributions.reduce((a, c) => a + c.points, 0);
    expect(sum).toBe(s.fitScore + s.engagementScore);
  });
});

describe('rule set validation', () => {
  const valid = { ...DEFAULT_RULE_SET };
  const withRule = (rule: Record<string, unknown>) => ({ ...valid, rules: [...valid.rules, rule] });

  it('names the rule and the field of an unknown activity type', () => {
    const r = checkRuleSet(withRule({ id: 'typo', name: 'x', kind: 'engagement', when: { types: ['page_veiw'] }, points: 5 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ path: 'rules[typo].when.types[0]', message: expect.stringContaining('page_veiw') }]);
  });

  it('refuses unknown fields, impossible caps, points out of range and an empty MQL condition', () => {
    const r = checkRuleSet({
      ...withRule({ id: 'f', name: 'f', kind: 'fit', when: { field: 'shoeSize', op: 'in', values: ['x'] }, points: 500 }),
      mql: { all: [] },
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['rules[f].when.field', 'rules[f].points', 'mql.all']));
    const caps = checkRuleSet(withRule({ id: 'c', name: 'c', kind: 'engagement', when: { types: ['email_open'] }, points: 1, maxCount: 0, perPeriod: { max: 5, days: 0 } }));
    expect(caps.ok ? [] : caps.errors.map((e) => e.path)).toEqual(['rules[c].maxCount', 'rules[c].perPeriod.days']);
    const fitCap = checkRuleSet(withRule({ id: 'fc', name: 'c', kind: 'fit', when: { field: 'industry', op: 'exists' }, points: 1, maxCount: 3 }));
    expect(fitCap.ok ? [] : fitCap.errors.map((e) => e.path)).toEqual(['rules[fc].maxCount']);
  });

  it('requires descending grade cut-offs and unique rule ids', () => {
    const r = checkRuleSet({ ...valid, fitGrades: { A: 10, B: 40, C: 20 }, rules: [...valid.rules, valid.rules[0]] });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['fitGrades', `rules[${valid.rules[0].id}].id`]);
  });
});
