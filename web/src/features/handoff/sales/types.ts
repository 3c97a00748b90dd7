/** Shapes of the handoff API (src/handoff/sales). */
export interface InboxItem {
  handoffId: number;
  personId: string;
  name: string;
  email: string;
  company: string | null;
  title: string | null;
  prefecture: string | null;
  industry: string | null;
  source: string | null;
  channel: string | null;
  fitGrade: string | null;
  engagementScore: number;
  ownerId: string | null;
  ownerName: string | null;
  mqlAt: string;
  dueAt: string | null;
  breached: boolean;
  waitingHours: number;
}

export interface Summary {
  awaiting: number;
  breached: number;
  oldestWaitingHours: number | null;
}

export interface RejectionReason {
  code: string;
  ja: string;
  en: string;
  disqualify: boolean;
  active: boolean;
}

export interface AssignmentRule {
  id: string;
  name: string;
  kind: 'account_owner' | 'territory' | 'round_robin';
  enabled: boolean;
  prefectures: string[];
  regions: string[];
  industries: string[];
  userIds: string[];
}

export interface Rep {
  userId: string;
  name: string;
  email: string;
  role: string;
  active: boolean;
  weight: number;
  available: boolean;
  outOfOfficeFrom: string | null;
  outOfOfficeTo: string | null;
  availableToday: boolean;
  assignedCount: number;
}

export interface Sla {
  enabled: boolean;
  businessDays: number;
  japaneseHolidays: boolean;
  closedDates: string[];
  workdays: number[];
  timezone: string;
}

export interface HandoffSettings {
  rules: AssignmentRule[];
  reasons: RejectionReason[];
  sla: Sla;
  reps: Rep[];
  regions: Record<string, string[]>;
  prefectures: string[];
}

export interface HandoffPackage {
  person: {
    id: string;
    name: string;
    email: string;
    company: string | null;
    title: string | null;
    phone: string | null;
    stage: string;
    prefecture: string | null;
    industry: string | null;
  };
  owner: { id: string; name: string; email: string } | null;
  acquisition: {
    source: string | null;
    channel: string | null;
    createdAt: string;
    firstTouch: {
      type: string;
      occurredAt: string;
      title: string | null;
      url: string | null;
      campaignName: string | null;
    } | null;
  };
  campaigns: { id: string; name: string; channel: string; status: string; joinedAt: string }[];
  events: { type: string; occurredAt: string; title: string | null; campaignName: string | null }[];
  content: {
    downloads: { title: string | null; url: string | null; occurredAt: string }[];
    topPages: { url: string; views: number; lastAt: string }[];
  };
  emails: {
    sent: number;
    opened: number;
    clicked: number;
    recent: { type: string; occurredAt: string; subject: string | null; url: string | null }[];
  };
  score: {
    fitGrade: string | null;
    fitScore: number;
    engagementScore: number;
    ruleSetVersion: number | null;
    summary: string[];
  };
  account: { id: string; name: string } | null;
  accountPeople: { id: string; name: string; title: string | null; stage: string; engagementScore: number }[];
  handoff: {
    status: string;
    mqlAt: string;
    dueAt: string | null;
    breached: boolean;
    escalatedAt: string | null;
    decidedAt: string | null;
    reason: string | null;
    note: string | null;
  } | null;
  assignment: {
    ownerId: string | null;
    ruleKind: string;
    ruleName: string | null;
    trigger: string;
    at: string;
  } | null;
}
