/** API shapes of the segments and mail endpoints (see src/nurture/segments and src/nurture/mail). */
export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | { field: string; op: string; value?: unknown }
  | {
      activity: {
        type?: string | string[];
        urlContains?: string;
        campaignId?: string;
        templateId?: string;
        withinDays?: number;
        min?: number;
        max?: number;
      };
    }
  | { campaign: { id: string; status?: string[] } }
  | { stageChange: { to: string; withinDays?: number } }
  | { segment: string };

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  filter: Filter | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  memberCount?: number | null;
}

export interface PersonLite {
  id: string;
  email: string;
  lastName: string | null;
  firstName: string | null;
  lastNameKana: string | null;
  firstNameKana: string | null;
  company: string | null;
  stage: string;
  fitGrade: string | null;
  engagementScore: number;
  consent: boolean;
  unsubscribedAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FieldInfo {
  name: string;
  kind: 'text' | 'number' | 'date' | 'bool' | 'stage' | 'uuid' | 'grade';
  ops: string[];
}

export interface EmailTemplate {
  id: string;
  name: string;
  kind: 'marketing' | 'transactional';
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  locale: 'ja' | 'en';
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
  to: string;
  from: string;
}

export interface OutboxItem {
  id: string;
  kind: string;
  to: string;
  from: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  personId: string | null;
  templateId: string | null;
  createdAt: string;
  sentAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  openCount: number;
  clickCount: number;
}

export interface OutboxMessage extends OutboxItem {
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
}

export interface MailSettings {
  senderName: string;
  fromEmail: string;
  replyTo: string;
  postalAddress: string;
  contact: string;
  ratePerSecond: number;
  requireConsent: boolean;
  defaultFrom?: string;
  smtp?: boolean;
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

export const STAGES = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'lost', 'recycled', 'disqualified'];
export const GRADES = ['A', 'B', 'C', 'D'];
export const CAMPAIGN_STATUSES = ['member', 'invited', 'registered', 'attended', 'no_show'];
