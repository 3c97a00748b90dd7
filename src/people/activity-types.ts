/** The activity types Leadflow knows (API.md names the first twelve). Scoring rules may only name these. */
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
] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export function isActivityType(value: string): value is ActivityType {
  return (ACTIVITY_TYPES as readonly string[]).includes(value);
}
