import { describe, expect, it } from 'vitest';
import { normalizePrefecture, prefecturesOfRegion, regionOf } from './regions.ts';
import { type AssignmentRule, type LeadFacts, pickOwner, type RepState, ruleProblems } from './rules.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const OWNER = '00000000-0000-4000-8000-0000000000ff';
const TODAY = '2026-06-10';

const rep = (userId: string, over: Partial<RepState> = {}): RepState => ({
  userId,
  role: 'sales',
  active: true,
  weight: 1,
  available: true,
  outOfOfficeFrom: null,
  outOfOfficeTo: null,
  assignedCount: 0,
  lastAssignedAt: null,
  ...over,
});
const team = (...reps: RepState[]) => new Map(reps.map((r) => [r.userId, r]));
const lead = (over: Partial<LeadFacts> = {}): LeadFacts => ({
  personId: 'p',
  prefecture: null,
  industry: null,
  accountOwnerId: null,
  accountPrefecture: null,
  accountIndustry: null,
  ...over,
});
const rule = (over: Partial<AssignmentRule> & Pick<AssignmentRule, 'id' | 'kind'>): AssignmentRule => ({
  name: over.id,
  enabled: true,
  prefectures: [],
  regions: [],
  industries: [],
  userIds: [],
  ...over,
});

const RULES: AssignmentRule[] = [
  rule({ id: 'owner', kind: 'account_owner' }),
  rule({ id: 'kansai', kind: 'territory', regions: ['関西'], userIds: [B] }),
  rule({ id: 'mfg', kind: 'territory', industries: ['製造'], userIds: [C] }),
  rule({ id: 'rr', kind: 'round_robin' }),
];

describe('prefectures and regions', () => {
  it('normalises the ways a prefecture is written', () => {
    expect(normalizePrefecture('東京')).toBe('東京都');
    expect(normalizePrefecture('大阪府')).toBe('大阪府');
    expect(normalizePrefecture('Osaka')).toBe('大阪府');
    expect(normalizePrefecture('ＴＯＫＹＯ')).toBe('東京都');
    expect(normalizePrefecture('北海道')).toBe('北海道');
    expect(normalizePrefecture('どこか')).toBeNull();
    expect(regionOf('兵庫')).toBe('関西');
    expect(prefecturesOfRegion('近畿')).toContain('京都府');
    expect(prefecturesOfRegion('Kanto')).toContain('神奈川県');
  });
});

describe('assignment order', () => {
  it('gives the lead to the account owner before any territory', () => {
    const reps = team(rep(A), rep(B), rep(C), rep(OWNER));
    const pick = pickOwner(
      lead({ accountOwnerId: OWNER, prefecture: '大阪府', industry: '製造業' }),
      RULES,
      reps,
      TODAY,
      1,
    );
    expect(pick).toMatchObject({ ownerId: OWNER, rule: { id: 'owner' } });
  });

  it('falls through to the territory when the account owner is out of office', () => {
    const reps = team(
      rep(A),
      rep(B),
      rep(C),
      rep(OWNER, { outOfOfficeFrom: '2026-06-08', outOfOfficeTo: '2026-06-12' }),
    );
    const pick = pickOwner(lead({ accountOwnerId: OWNER, prefecture: '大阪' }), RULES, reps, TODAY, 1);
    expect(pick).toMatchObject({ ownerId: B, rule: { id: 'kansai' } });
  });

  it('matches a territory by the account’s prefecture and by industry', () => {
    const reps = team(rep(A), rep(B), rep(C));
    expect(pickOwner(lead({ accountPrefecture: '京都府' }), RULES, reps, TODAY, 1)?.ownerId).toBe(B);
    expect(
      pickOwner(lead({ prefecture: '東京都', industry: '製造業（自動車部品）' }), RULES, reps, TODAY, 1)
        ?.ownerId,
    ).toBe(C);
  });

  it('skips a territory whose only rep is unavailable and uses the round robin', () => {
    const reps = team(rep(A), rep(B, { available: false }), rep(C));
    const pick = pickOwner(lead({ prefecture: '大阪府' }), RULES, reps, TODAY, 1);
    expect(pick?.rule.id).toBe('rr');
    expect(pick?.ownerId).not.toBe(B);
  });

  it('skips disabled rules and admins in the all-sales round robin', () => {
    const reps = team(rep(A, { role: 'admin' }), rep(B));
    const rules = [
      rule({ id: 'kansai', kind: 'territory', regions: ['関西'], userIds: [A], enabled: false }),
      rule({ id: 'rr', kind: 'round_robin' }),
    ];
    expect(pickOwner(lead({ prefecture: '大阪府' }), rules, reps, TODAY, 1)?.ownerId).toBe(B);
  });

  it('returns null when nobody is available', () => {
    expect(pickOwner(lead(), RULES, team(rep(A, { active: false })), TODAY, 1)).toBeNull();
  });
});

describe('weighted round robin', () => {
  it('shares leads by weight and rotates through a batch', () => {
    const reps = team(rep(A, { weight: 2 }), rep(B, { weight: 1 }));
    const counts: Record<string, number> = { [A]: 0, [B]: 0 };
    for (let i = 0; i < 30; i++)
      counts[
        pickOwner(lead(), [rule({ id: 'rr', kind: 'round_robin' })], reps, TODAY, i)?.ownerId as string
      ]++;
    expect(counts[A]).toBe(20);
    expect(counts[B]).toBe(10);
  });

  it('leaves out a rep on an out-of-office day and takes them back afterwards', () => {
    const reps = team(rep(A), rep(B, { outOfOfficeFrom: '2026-06-10', outOfOfficeTo: '2026-06-10' }));
    const rr = [rule({ id: 'rr', kind: 'round_robin' })];
    const today = [1, 2, 3].map((i) => pickOwner(lead(), rr, reps, TODAY, i)?.ownerId);
    expect(today).toEqual([A, A, A]);
    expect(pickOwner(lead(), rr, reps, '2026-06-11', 4)?.ownerId).toBe(B);
  });

  it('starts a newly added rep at the team’s load instead of flooding them', () => {
    const reps = team(
      rep(A, { assignedCount: 50 }),
      rep(B, { assignedCount: 50 }),
      rep(C, { assignedCount: null }),
    );
    const rr = [rule({ id: 'rr', kind: 'round_robin' })];
    const picks = [1, 2, 3, 4, 5, 6].map((i) => pickOwner(lead(), rr, reps, TODAY, i)?.ownerId);
    expect(new Set(picks)).toEqual(new Set([A, B, C]));
    expect(picks.filter((p) => p === C)).toHaveLength(2);
  });
});

describe('rule validation', () => {
  it('names unknown regions, empty territories and unknown reps', () => {
    const problems = ruleProblems(
      [
        rule({ id: 'x', kind: 'territory', regions: ['火星'], userIds: [A] }),
        rule({ id: 'y', kind: 'territory', userIds: [] }),
        rule({ id: 'x', kind: 'round_robin', userIds: [C] }),
      ],
      new Set([A]),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'rules.0.regions.0',
      'rules.1',
      'rules.1.userIds',
      'rules.2.id',
      'rules.2.userIds.0',
    ]);
  });
});
