import { z } from 'zod';
import type { Queryable } from '../../platform/db/client.ts';
import { DEFAULT_SLA_CALENDAR, isValidTimezone, type SlaCalendar } from './business-days.ts';
import { type AssignmentRule, assignmentRuleSchema, DEFAULT_RULES } from './rules.ts';

/** A reason sales may give for rejecting an MQL. `disqualify` pre-ticks "disqualify" in the UI. */
export const rejectionReasonSchema = z
  .object({
    code: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[\w-]+$/, 'letters, digits, - and _ only'),
    ja: z.string().trim().min(1).max(100),
    en: z.string().trim().min(1).max(100),
    disqualify: z.boolean().default(false),
    active: z.boolean().default(true),
  })
  .strict();
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

export const DEFAULT_REJECTION_REASONS: RejectionReason[] = [
  { code: 'no_budget', ja: '予算なし', en: 'No budget', disqualify: false, active: true },
  { code: 'too_early', ja: '時期尚早', en: 'Too early', disqualify: false, active: true },
  { code: 'wrong_contact', ja: '担当者違い', en: 'Wrong contact', disqualify: false, active: true },
  { code: 'competitor', ja: '競合', en: 'Competitor', disqualify: true, active: true },
  { code: 'no_need', ja: 'ニーズなし', en: 'No need', disqualify: false, active: true },
  { code: 'unreachable', ja: '連絡不通', en: 'Unreachable', disqualify: false, active: true },
  {
    code: 'not_a_buyer',
    ja: '対象外（学生・個人など）',
    en: 'Not a buyer (student, private person…)',
    disqualify: true,
    active: true,
  },
  { code: 'other', ja: 'その他', en: 'Other', disqualify: false, active: true },
];

export const slaSchema = z
  .object({
    enabled: z.boolean().default(true),
    businessDays: z.number().int().min(1).max(30),
    japaneseHolidays: z.boolean().default(true),
    closedDates: z.array(z.iso.date()).max(366).default([]),
    workdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).default([1, 2, 3, 4, 5]),
    timezone: z.string().max(64).refine(isValidTimezone, 'not a known IANA time zone').default('Asia/Tokyo'),
  })
  .strict();
export type SlaConfig = SlaCalendar & { enabled: boolean };

export const DEFAULT_SLA: SlaConfig = { enabled: true, ...DEFAULT_SLA_CALENDAR };

const KEYS = {
  rules: 'handoff.assignment_rules',
  reasons: 'handoff.rejection_reasons',
  sla: 'handoff.sla',
} as const;

async function readSetting<T>(q: Queryable, workspaceId: number, key: string): Promise<T | undefined> {
  const r = await q.query<{ value: T }>('SELECT value FROM settings WHERE workspace_id = $1 AND key = $2', [
    workspaceId,
    key,
  ]);
  return r.rows[0]?.value;
}

async function writeSetting(q: Queryable, workspaceId: number, key: string, value: unknown): Promise<void> {
  await q.query(
    `INSERT INTO settings (workspace_id, key, value, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (workspace_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [workspaceId, key, JSON.stringify(value)],
  );
}

/** The ordered assignment rules (the defaults until someone saves them). Stored values are re-parsed: older code may have written them. */
export async function loadRules(q: Queryable, workspaceId: number): Promise<AssignmentRule[]> {
  const stored = await readSetting<{ rules: unknown }>(q, workspaceId, KEYS.rules);
  const parsed = z.array(assignmentRuleSchema).safeParse(stored?.rules);
  return parsed.success ? parsed.data : structuredClone(DEFAULT_RULES);
}

export const saveRules = (q: Queryable, workspaceId: number, rules: AssignmentRule[]) =>
  writeSetting(q, workspaceId, KEYS.rules, { rules });

export async function loadReasons(q: Queryable, workspaceId: number): Promise<RejectionReason[]> {
  const stored = await readSetting<{ reasons: unknown }>(q, workspaceId, KEYS.reasons);
  const parsed = z.array(rejectionReasonSchema).safeParse(stored?.reasons);
  return parsed.success ? parsed.data : structuredClone(DEFAULT_REJECTION_REASONS);
}

export const saveReasons = (q: Queryable, workspaceId: number, reasons: RejectionReason[]) =>
  writeSetting(q, workspaceId, KEYS.reasons, { reasons });

export async function loadSla(q: Queryable, workspaceId: number): Promise<SlaConfig> {
  const parsed = slaSchema.safeParse(await readSetting(q, workspaceId, KEYS.sla));
  return parsed.success ? parsed.data : structuredClone(DEFAULT_SLA);
}

export const saveSla = (q: Queryable, workspaceId: number, sla: SlaConfig) =>
  writeSetting(q, workspaceId, KEYS.sla, sla);

const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/** The active reason a caller named by its code or its Japanese or English label. */
export function findReason(reasons: RejectionReason[], given: string): RejectionReason | undefined {
  const g = fold(given);
  return reasons.find((r) => r.active && (fold(r.code) === g || fold(r.ja) === g || fold(r.en) === g));
}
