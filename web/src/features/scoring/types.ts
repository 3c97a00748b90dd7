/** The scoring API's shapes as the UI uses them (see docs/scoring.md). */
export type Grade = 'A' | 'B' | 'C' | 'D';

export interface FieldCondition {
  field: string;
  op: 'in' | 'notIn' | 'contains' | 'notContains' | 'between' | 'exists' | 'notExists';
  values?: string[];
  min?: number;
  max?: number;
}
export type FitWhen = FieldCondition | { all: FitWhen[] } | { any: FitWhen[] };

export interface EngagementWhen {
  types: string[];
  urls?: string[];
  asset?: string;
  campaignId?: string;
  properties?: Record<string, string>;
  withinDays?: number;
}

export interface Rule {
  id: string;
  name: string;
  kind: 'fit' | 'engagement';
  when: FitWhen | EngagementWhen;
  points: number;
  enabled?: boolean;
  maxCount?: number | null;
  perPeriod?: { max: number; days: number } | null;
  halfLifeDays?: number | null;
}

export type MqlCondition =
  | { all: MqlCondition[] }
  | { any: MqlCondition[] }
  | { fitGradeAtLeast: Grade }
  | { fitScoreAtLeast: number }
  | { engagementAtLeast: number };

export interface RuleSet {
  version: number;
  halfLifeDays: number | null;
  fitGrades: { A: number; B: number; C: number };
  mql: MqlCondition;
  rules: Rule[];
  saved?: boolean;
  comment?: string | null;
  createdAt?: string | null;
  createdBy?: string | null;
}

export interface RunStatus {
  status: 'none' | 'pending' | 'running' | 'swapping' | 'done' | 'failed' | 'superseded';
  runId?: number;
  version?: number;
  total?: number | null;
  processed?: number;
  changed?: number | null;
  promoted?: number | null;
  finishedAt?: string | null;
}

export interface OutcomeStats {
  actual: number;
  precision: number | null;
  recall: number | null;
  baseRate: number | null;
  lift: number | null;
}

export interface Backtest {
  ruleSetVersion: number | null;
  population: number;
  predictedMql: number;
  sql: OutcomeStats;
  won: OutcomeStats;
  winsMqlBeforeSql: number | null;
  actualWinsMqlBeforeSql: number | null;
  engagementBands: { band: string; people: number; sql: number; won: number; sqlRate: number | null; wonRate: number | null }[];
  fitGrades: { grade: string; people: number; sql: number; won: number; sqlRate: number | null; wonRate: number | null }[];
  mqlsPerMonth: { month: string; predicted: number; actual: number }[];
  reach: Record<string, number>;
}

export interface VersionInfo {
  version: number;
  comment: string | null;
  createdBy: string | null;
  createdAt: string;
  ruleCount: number;
}

export interface ScoreExplanation {
  fitGrade: Grade | null;
  fitScore: number;
  engagementScore: number;
  ruleSetVersion: number | null;
  mql: boolean;
  computedAt: string | null;
  contributions: { ruleId: string; name: string; kind: 'fit' | 'engagement'; points: number; count: number }[];
}

export interface ScorePoint {
  at: string;
  version: number;
  fitScore: number;
  fitGrade: Grade;
  engagementScore: number;
  cause: 'live' | 'rescore';
}

export const ACTIVITY_TYPES = [
  'page_view',
  'form_submit',
  'email_sent',
  'email_open',
  'email_click',
  'email_bounce',
  'email_complaint',
  'unsubscribe',
  'content_download',
  'event_registered',
  'event_attended',
  'sales_call',
  'meeting',
  'import',
  'campaign_joined',
];

export const FIT_FIELDS = ['industry', 'employeeCount', 'title', 'department', 'prefecture', 'country', 'company', 'source', 'channel', 'emailDomain'];
export const FIELD_OPS: FieldCondition['op'][] = ['in', 'notIn', 'contains', 'notContains', 'between', 'exists', 'notExists'];
