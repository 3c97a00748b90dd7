import type { Db } from '../../platform/db/client.ts';

export { type CompileOptions, compileFilter } from '../segments/compile.ts';
/*
 * The contract between the nurture parts: the mail/segments part implements these, the
 * scenarios part (and others: people list, analytics) call them. Keep the names and
 * signatures; the Filter type grows with the filter language (src/nurture/segments/filter.ts).
 *
 * - compileFilter(filter, { workspaceId, now, firstParam?, strategy? }) is pure: it cannot read
 *   segments, so a filter that names `{ segment: id }` must be resolved first with
 *   resolveFilter(q, workspaceId, filter) (segmentFilter already returns a resolved filter).
 *   Use strategy 'person' when the query is restricted to one or a few people.
 * - Validate untrusted filters with parseFilter(input, path) (422 naming the bad path).
 * - sendTemplateMail checks consent: with the default mail settings (`requireConsent: true`)
 *   a person without `consent: true` gets `{ status: 'suppressed', reason: 'no_consent' }`.
 */
export type {
  ActivityCondition,
  CampaignCondition,
  FieldCondition,
  Filter,
  StageChangeCondition,
} from '../segments/filter.ts';
export { parseFilter } from '../segments/filter.ts';
export {
  countAndSample,
  listMatchingPeople,
  personMatches,
  resolveFilter,
  segmentFilter,
} from '../segments/store.ts';
export {
  lockPeopleForSend,
  type SendOutcome,
  type SendTemplateInput,
  sendTemplateMail,
  sendTemplateMails,
} from './send.ts';

export type { Db };
