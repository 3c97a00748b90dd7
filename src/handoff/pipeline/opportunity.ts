import type { SalesStage } from './settings.ts';

export type OpportunityStatus = 'open' | 'won' | 'lost';

/** An opportunity (商談) as the API shows it. */
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
  closedAt: Date | null;
  externalId: string | null;
  description: string | null;
  source: string;
  createdAt: Date;
  updatedAt: Date;
  person: { id: string; email: string; name: string; company: string | null; stage: string } | null;
  accountName: string | null;
  ownerName: string | null;
  /** The other people on the deal (only on single reads). */
  contacts?: { id: string; email: string; name: string; stage: string }[];
}

export interface OpportunityRow {
  id: string;
  person_id: string | null;
  account_id: string | null;
  owner_id: string | null;
  name: string;
  amount: number;
  currency: string;
  stage: SalesStage;
  status: OpportunityStatus;
  loss_reason: string | null;
  expected_close_date: string | null;
  closed_at: Date | null;
  external_id: string | null;
  description: string | null;
  source: string;
  created_at: Date;
  /** created_at to the microsecond, for keyset cursors. */
  created_exact: string;
  updated_at: Date;
  p_email: string | null;
  p_last_name: string | null;
  p_first_name: string | null;
  p_company: string | null;
  p_stage: string | null;
  account_name: string | null;
  owner_name: string | null;
}

/** Selects an opportunity with its person, account and owner names; alias `o`. */
export const OPPORTUNITY_SELECT = `
  SELECT o.id, o.person_id, o.account_id, o.owner_id, o.name, o.amount, o.currency, o.stage, o.status,
         o.loss_reason, o.expected_close_date, o.closed_at, o.external_id, o.description, o.source,
         o.created_at, o.created_at::text AS created_exact, o.updated_at,
         p.email AS p_email, p.last_name AS p_last_name, p.first_name AS p_first_name, p.company AS p_company,
         p.stage AS p_stage, a.name AS account_name, u.name AS owner_name
  FROM opportunities o
  LEFT JOIN people p ON p.id = o.person_id
  LEFT JOIN accounts a ON a.id = o.account_id
  LEFT JOIN users u ON u.id = o.owner_id`;

export function toOpportunity(r: OpportunityRow): Opportunity {
  const personName = [r.p_last_name, r.p_first_name].filter(Boolean).join(' ');
  return {
    id: r.id,
    personId: r.person_id,
    accountId: r.account_id,
    ownerId: r.owner_id,
    name: r.name,
    amount: Number(r.amount),
    currency: r.currency,
    stage: r.stage,
    status: r.status,
    lossReason: r.loss_reason,
    expectedCloseDate: r.expected_close_date,
    closedAt: r.closed_at,
    externalId: r.external_id,
    description: r.description,
    source: r.source,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    person:
      r.person_id && r.p_email
        ? {
            id: r.person_id,
            email: r.p_email,
            name: personName || r.p_email,
            company: r.p_company,
            stage: r.p_stage ?? '',
          }
        : null,
    accountName: r.account_name,
    ownerName: r.owner_name,
  };
}

/** The fields a webhook receiver or the audit log gets: no joined names. */
export function opportunityEventData(o: Opportunity): Record<string, unknown> {
  return {
    opportunityId: o.id,
    personId: o.personId,
    accountId: o.accountId,
    ownerId: o.ownerId,
    name: o.name,
    amount: o.amount,
    currency: o.currency,
    stage: o.stage,
    status: o.status,
    lossReason: o.lossReason,
    expectedCloseDate: o.expectedCloseDate,
    closedAt: o.closedAt,
    externalId: o.externalId,
  };
}
