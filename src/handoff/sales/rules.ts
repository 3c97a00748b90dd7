import { z } from 'zod';
import { isWithin } from './business-days.ts';
import { normalizePrefecture, prefecturesOfRegion } from './regions.ts';

/**
 * Assignment rules, tried in order; the first that yields an available rep wins.
 * - account_owner: the owner of the person's account.
 * - territory: the lead's prefecture / region and/or industry match; round robin among its reps.
 * - round_robin: weighted round robin among its reps (all active sales users when empty).
 */
export const assignmentRuleSchema = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[\w-]+$/, 'letters, digits, - and _ only'),
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['account_owner', 'territory', 'round_robin']),
    enabled: z.boolean().default(true),
    prefectures: z.array(z.string().max(50)).max(47).default([]),
    regions: z.array(z.string().max(50)).max(20).default([]),
    industries: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
    userIds: z.array(z.uuid()).max(500).default([]),
  })
  .strict();

export type AssignmentRule = z.infer<typeof assignmentRuleSchema>;

export const DEFAULT_RULES: AssignmentRule[] = [
  {
    id: 'account-owner',
    name: 'アカウント担当者 / Account owner',
    kind: 'account_owner',
    enabled: true,
    prefectures: [],
    regions: [],
    industries: [],
    userIds: [],
  },
  {
    id: 'round-robin',
    name: 'ラウンドロビン（営業全員） / Round robin (all sales)',
    kind: 'round_robin',
    enabled: true,
    prefectures: [],
    regions: [],
    industries: [],
    userIds: [],
  },
];

/** Checks a whole rule list beyond its shape: unknown regions or prefectures, territories without criteria, duplicate ids. */
export function ruleProblems(
  rules: AssignmentRule[],
  knownUsers: Set<string>,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.id)) problems.push({ path: `rules.${i}.id`, message: `duplicate rule id ${r.id}` });
    seen.add(r.id);
    r.prefectures.forEach((p, j) => {
      if (!normalizePrefecture(p))
        problems.push({ path: `rules.${i}.prefectures.${j}`, message: `unknown prefecture ${p}` });
    });
    r.regions.forEach((g, j) => {
      if (!prefecturesOfRegion(g))
        problems.push({
          path: `rules.${i}.regions.${j}`,
          message: `unknown region ${g} (e.g. 関東, 関西, 九州)`,
        });
    });
    if (r.kind === 'territory') {
      if (r.prefectures.length + r.regions.length + r.industries.length === 0) {
        problems.push({
          path: `rules.${i}`,
          message: 'a territory needs prefectures, regions or industries',
        });
      }
      if (r.userIds.length === 0)
        problems.push({ path: `rules.${i}.userIds`, message: 'a territory needs at least one rep' });
    }
    r.userIds.forEach((u, j) => {
      if (!knownUsers.has(u))
        problems.push({ path: `rules.${i}.userIds.${j}`, message: 'not an active sales user or admin' });
    });
  });
  return problems;
}

/** What the rules look at for one lead. */
export interface LeadFacts {
  personId: string;
  prefecture: string | null;
  industry: string | null;
  accountOwnerId: string | null;
  accountPrefecture: string | null;
  accountIndustry: string | null;
}

/** A rep as round robin sees them. `assignedCount` is null for a rep never assigned before. */
export interface RepState {
  userId: string;
  role: string;
  active: boolean;
  weight: number;
  available: boolean;
  outOfOfficeFrom: string | null;
  outOfOfficeTo: string | null;
  assignedCount: number | null;
  lastAssignedAt: number | null;
}

export interface Pick {
  ownerId: string;
  rule: AssignmentRule;
}

const norm = (s: string | null | undefined) => (s ?? '').normalize('NFKC').trim().toLowerCase();

export function territoryMatches(rule: AssignmentRule, lead: LeadFacts): boolean {
  const geo = rule.prefectures.length + rule.regions.length > 0;
  if (geo) {
    const pref = normalizePrefecture(lead.prefecture) ?? normalizePrefecture(lead.accountPrefecture);
    if (!pref) return false;
    const inPrefs = rule.prefectures.some((p) => normalizePrefecture(p) === pref);
    const inRegions = rule.regions.some((g) => prefecturesOfRegion(g)?.includes(pref));
    if (!inPrefs && !inRegions) return false;
  }
  if (rule.industries.length > 0) {
    const industries = [norm(lead.industry), norm(lead.accountIndustry)].filter(Boolean);
    if (!rule.industries.some((term) => industries.some((ind) => ind.includes(norm(term))))) return false;
  }
  return true;
}

export function isAvailable(rep: RepState | undefined, today: string): rep is RepState {
  return !!rep && rep.active && rep.available && !isWithin(today, rep.outOfOfficeFrom, rep.outOfOfficeTo);
}

/**
 * Weighted round robin: the available rep with the lowest (assigned + 1) / weight, then the one
 * assigned longest ago. A rep never assigned before starts at the team's current load, so a new
 * hire is not flooded with every lead until they catch up.
 */
export function pickRoundRobin(candidates: RepState[], today: string): RepState | undefined {
  // Mutates the chosen rep's assignedCount (the caller persists it).
  const pool = candidates.filter((r) => isAvailable(r, today) && r.weight > 0);
  if (pool.length === 0) return undefined;
  const known = pool.filter((r) => r.assignedCount !== null);
  const baseline = known.length ? Math.min(...known.map((r) => (r.assignedCount ?? 0) / r.weight)) : 0;
  const load = (r: RepState) => ((r.assignedCount ?? Math.floor(baseline * r.weight)) + 1) / r.weight;
  const chosen = [...pool].sort(
    (a, b) =>
      load(a) - load(b) ||
      (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1) ||
      a.userId.localeCompare(b.userId),
  )[0];
  chosen.assignedCount = (chosen.assignedCount ?? Math.floor(baseline * chosen.weight)) + 1;
  return chosen;
}

/** Runs the rules in order for one lead. Mutates the picked rep's round-robin state so a batch keeps rotating. */
export function pickOwner(
  lead: LeadFacts,
  rules: AssignmentRule[],
  reps: Map<string, RepState>,
  today: string,
  now: number,
): Pick | null {
  for (const rule of rules) {
    if (!rule.enabled) continue;
    let chosen: RepState | undefined;
    switch (rule.kind) {
      case 'account_owner': {
        const owner = lead.accountOwnerId ? reps.get(lead.accountOwnerId) : undefined;
        if (isAvailable(owner, today)) return { ownerId: owner.userId, rule };
        continue;
      }
      case 'territory':
        if (!territoryMatches(rule, lead)) continue;
        chosen = pickRoundRobin(
          rule.userIds.map((id) => reps.get(id)).filter((r): r is RepState => !!r),
          today,
        );
        break;
      case 'round_robin': {
        const pool = rule.userIds.length
          ? rule.userIds.map((id) => reps.get(id))
          : [...reps.values()].filter((r) => r.role === 'sales');
        chosen = pickRoundRobin(
          pool.filter((r): r is RepState => !!r),
          today,
        );
        break;
      }
    }
    if (chosen) {
      chosen.lastAssignedAt = now;
      return { ownerId: chosen.userId, rule };
    }
  }
  return null;
}
