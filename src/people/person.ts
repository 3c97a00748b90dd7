import type { Stage } from '../lifecycle/stages.ts';

/** A person (lead) as the API shows it; field names are fixed by API.md. */
export interface Person {
  id: string;
  email: string;
  lastName: string | null;
  firstName: string | null;
  lastNameKana: string | null;
  firstNameKana: string | null;
  company: string | null;
  department: string | null;
  title: string | null;
  phone: string | null;
  industry: string | null;
  employeeCount: number | null;
  prefecture: string | null;
  country: string | null;
  source: string | null;
  channel: string | null;
  stage: Stage;
  stageChangedAt: Date;
  ownerId: string | null;
  accountId: string | null;
  fitGrade: 'A' | 'B' | 'C' | 'D' | null;
  fitScore: number;
  engagementScore: number;
  scoreVersion: number | null;
  consent: boolean;
  unsubscribedAt: Date | null;
  bouncedAt: Date | null;
  customFields: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonRow {
  id: string;
  email: string;
  last_name: string | null;
  first_name: string | null;
  last_name_kana: string | null;
  first_name_kana: string | null;
  company: string | null;
  department: string | null;
  title: string | null;
  phone: string | null;
  industry: string | null;
  employee_count: number | null;
  prefecture: string | null;
  country: string | null;
  source: string | null;
  channel: string | null;
  stage: Stage;
  stage_changed_at: Date;
  owner_id: string | null;
  account_id: string | null;
  fit_grade: 'A' | 'B' | 'C' | 'D' | null;
  fit_score: number;
  engagement_score: number;
  score_version: number | null;
  consent: boolean;
  unsubscribed_at: Date | null;
  bounced_at: Date | null;
  custom_fields: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export const PERSON_COLUMNS = `id, email, last_name, first_name, last_name_kana, first_name_kana, company, department,
  title, phone, industry, employee_count, prefecture, country, source, channel, stage, stage_changed_at, owner_id,
  account_id, fit_grade, fit_score, engagement_score, score_version, consent, unsubscribed_at, bounced_at,
  custom_fields, created_at, updated_at`;

export function toPerson(r: PersonRow): Person {
  return {
    id: r.id,
    email: r.email,
    lastName: r.last_name,
    firstName: r.first_name,
    lastNameKana: r.last_name_kana,
    firstNameKana: r.first_name_kana,
    company: r.company,
    department: r.department,
    title: r.title,
    phone: r.phone,
    industry: r.industry,
    employeeCount: r.employee_count,
    prefecture: r.prefecture,
    country: r.country,
    source: r.source,
    channel: r.channel,
    stage: r.stage,
    stageChangedAt: r.stage_changed_at,
    ownerId: r.owner_id,
    accountId: r.account_id,
    fitGrade: r.fit_grade,
    fitScore: r.fit_score,
    engagementScore: r.engagement_score,
    scoreVersion: r.score_version,
    consent: r.consent,
    unsubscribedAt: r.unsubscribed_at,
    bouncedAt: r.bounced_at,
    customFields: r.custom_fields ?? {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The profile fields a caller may set, with their column names. Source and channel are first-touch only. */
export const PROFILE_FIELDS = {
  lastName: 'last_name',
  firstName: 'first_name',
  lastNameKana: 'last_name_kana',
  firstNameKana: 'first_name_kana',
  company: 'company',
  department: 'department',
  title: 'title',
  phone: 'phone',
  industry: 'industry',
  employeeCount: 'employee_count',
  prefecture: 'prefecture',
  country: 'country',
} as const;

export type ProfileField = keyof typeof PROFILE_FIELDS;

export interface PersonInput {
  email: string;
  lastName?: string | null;
  firstName?: string | null;
  lastNameKana?: string | null;
  firstNameKana?: string | null;
  company?: string | null;
  department?: string | null;
  title?: string | null;
  phone?: string | null;
  industry?: string | null;
  employeeCount?: number | null;
  prefecture?: string | null;
  country?: string | null;
  source?: string | null;
  channel?: string | null;
  ownerId?: string | null;
  consent?: boolean;
  customFields?: Record<string, unknown>;
}
