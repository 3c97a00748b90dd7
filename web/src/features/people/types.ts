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
  stage: string;
  stageChangedAt: string;
  ownerId: string | null;
  accountId: string | null;
  fitGrade: 'A' | 'B' | 'C' | 'D' | null;
  fitScore: number;
  engagementScore: number;
  consent: boolean;
  unsubscribedAt: string | null;
  bouncedAt: string | null;
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  enteredAt?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
}

export interface TimelineEntry {
  kind: 'activity' | 'stage';
  id: string;
  at: string;
  type: string;
  properties: Record<string, unknown>;
  campaignId: string | null;
  campaignName: string | null;
}

export interface Account {
  id: string;
  name: string;
  domain: string | null;
  industry?: string | null;
  employeeCount?: number | null;
  prefecture?: string | null;
  ownerId?: string | null;
  people: Person[];
  stageCounts: Record<string, number>;
  [key: string]: unknown;
}

export const STAGES = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'lost', 'recycled', 'disqualified'] as const;
export const GRADES = ['A', 'B', 'C', 'D'] as const;
