export const SALES_STAGES = ['qualification', 'proposal', 'quote', 'negotiation'] as const;
export type SalesStage = (typeof SALES_STAGES)[number];
export type OpportunityStatus = 'open' | 'won' | 'lost';

export interface Opportunity {
  id: string;
  personId: string | null;
  accountId: string | null;
  ownerId: string | null;
  name: string;
  amount: number;
  currency: string;
  stage: SalesStage;
  status: OpportunityStatus;
  lossReason: string | null;
  expectedCloseDate: string | null;
  closedAt: string | null;
  externalId: string | null;
  description: string | null;
  source: string;
  createdAt: string;
  updatedAt: string;
  person: { id: string; email: string; name: string; company: string | null; stage: string } | null;
  accountName: string | null;
  ownerName: string | null;
  contacts?: { id: string; email: string; name: string; stage: string }[];
}

export interface PipelineColumn {
  stage: string;
  count: number;
  amounts: Record<string, number>;
}

export interface PipelineSummary {
  open: PipelineColumn[];
  won: PipelineColumn;
  lost: PipelineColumn;
}

export interface PipelineSettings {
  recycleLostAfterDays: number;
  lossReasons: string[];
}

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secretHint: string;
  createdAt: string;
  updatedAt: string;
  stats?: {
    pending: number;
    failed: number;
    delivered: number;
    lastStatusCode: number | null;
    lastAttemptAt: string | null;
  };
}

export interface Delivery {
  id: number;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  personId: string | null;
  replayOf: number | null;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: {
    attempt: number;
    at: string;
    statusCode: number | null;
    durationMs: number;
    error: string | null;
  }[];
}

export interface OutcomeResult {
  id: string;
  total: number;
  updated: number;
  created: number;
  unchanged: number;
  problems: { row: number; reason: string; email?: string | null; externalId?: string | null }[];
}

export interface OutcomeImport extends OutcomeResult {
  source: string;
  filename: string | null;
  createdBy: string | null;
  createdAt: string;
}

/** An amount in its currency, e.g. ￥4,800,000 or $12,000. */
export function formatMoney(amount: number, currency: string, lang: string): string {
  try {
    return new Intl.NumberFormat(lang.startsWith('ja') ? 'ja-JP' : 'en-US', {
      style: 'currency',
      currency,
      maximumFractionDigits: 0,
    }).format(amount);
  } catch {
    return `${amount.toLocaleString()} ${currency}`;
  }
}

/** Sums per currency as one line: ￥12,000,000 + $5,000. */
export function formatAmounts(amounts: Record<string, number>, lang: string): string {
  const entries = Object.entries(amounts);
  if (entries.length === 0) return formatMoney(0, 'JPY', lang);
  return entries.map(([c, n]) => formatMoney(n, c, lang)).join(' + ');
}
