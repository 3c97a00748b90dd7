export interface StageCount {
  stage: string;
  current: number;
  thisMonth: number;
  lastMonth: number;
}

export interface DashboardSummary {
  timeZone: string;
  thisMonth: { from: string; to: string };
  lastMonth: { from: string; to: string };
  totals: { people: number; createdThisMonth: number; createdLastMonth: number };
  stages: StageCount[];
}

export interface HandoffSummary {
  awaiting: number;
  breached: number;
  oldestWaitingHours: number | null;
}
