import type { Db, Queryable } from '../../platform/db/client.ts';
import type { AppContext } from '../../platform/http/context.ts';

/*
 * The contract between the nurture parts: the mail/segments part implements these, the
 * scenarios part (and others: people list, analytics) call them. Keep the names and
 * signatures; refine the Filter type as the filter language grows.
 */

/** The one filter language (segments, people list, scenario branches): a JSON tree. */
export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | { field: string; op: string; value?: unknown }
  | { activity: { type?: string; urlContains?: string; campaignId?: string; withinDays?: number; min?: number; max?: number } }
  | { segment: string };

/** Compiles a filter into a SQL boolean expression over `people p`, with its parameters numbered from `firstParam`. */
export function compileFilter(
  _filter: Filter,
  _opts: { workspaceId: number; now: Date; firstParam?: number },
): { sql: string; params: unknown[] } {
  throw new Error('compileFilter: implemented by the nurture mail/segments part');
}

/** The saved filter of a segment (static lists compile to membership). */
export async function segmentFilter(_q: Queryable, _workspaceId: number, _segmentId: string): Promise<Filter> {
  throw new Error('segmentFilter: implemented by the nurture mail/segments part');
}

/** Whether one person matches a filter now. */
export async function personMatches(_q: Queryable, _workspaceId: number, _filter: Filter, _personId: string, _now: Date): Promise<boolean> {
  throw new Error('personMatches: implemented by the nurture mail/segments part');
}

export type SendOutcome =
  | { status: 'queued'; messageId: string }
  | { status: 'duplicate'; messageId: string }
  | { status: 'suppressed'; reason: 'unsubscribed' | 'bounced' | 'complained' | 'suppressed' | 'no_consent' }
  | { status: 'no_email' };

/**
 * Renders a template for a person and queues a marketing mail (unsubscribe link and headers,
 * sender identity, tracking) in the caller's transaction; the same idempotency key never sends twice.
 * Records the `email_sent` activity.
 */
export async function sendTemplateMail(
  _tx: Queryable,
  _ctx: AppContext,
  _input: { workspaceId: number; personId: string; templateId: string; idempotencyKey: string; campaignId?: string; scenarioId?: string },
): Promise<SendOutcome> {
  throw new Error('sendTemplateMail: implemented by the nurture mail/segments part');
}

export type { Db };
