import type { Role } from '../team/permissions.ts';

export const STAGES = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'lost', 'recycled', 'disqualified'] as const;
export type Stage = (typeof STAGES)[number];

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/** Who or what moves a person: a role by hand, or the system (scoring rule, scenario, opportunity close). */
export type Mover = Role | 'system';

interface Move {
  to: Stage;
  /** Roles that may make this move by hand; the system may make every listed move. */
  by: readonly Role[];
}

const MARKETING: readonly Role[] = ['admin', 'marketing'];
const SALES: readonly Role[] = ['admin', 'sales'];
const BOTH: readonly Role[] = ['admin', 'marketing', 'sales'];

/**
 * The Demand Waterfall as a transition table: the one place that decides which stage moves
 * are legal and who may make them. Anything not listed is an illegal move (409).
 */
export const TRANSITIONS: Record<Stage, readonly Move[]> = {
  inquiry: [
    { to: 'mql', by: MARKETING },
    { to: 'sgl', by: SALES },
    { to: 'disqualified', by: BOTH },
  ],
  mql: [
    { to: 'sal', by: SALES },
    { to: 'sql', by: SALES },
    { to: 'recycled', by: BOTH },
    { to: 'disqualified', by: BOTH },
  ],
  sal: [
    { to: 'sql', by: SALES },
    { to: 'recycled', by: SALES },
    { to: 'disqualified', by: SALES },
  ],
  sgl: [
    { to: 'sql', by: SALES },
    { to: 'recycled', by: SALES },
    { to: 'disqualified', by: SALES },
  ],
  sql: [
    { to: 'won', by: SALES },
    { to: 'lost', by: SALES },
    { to: 'recycled', by: SALES },
    { to: 'disqualified', by: SALES },
  ],
  won: [{ to: 'sql', by: SALES }],
  lost: [
    { to: 'recycled', by: BOTH },
    { to: 'sql', by: SALES },
    { to: 'disqualified', by: BOTH },
  ],
  recycled: [
    { to: 'mql', by: MARKETING },
    { to: 'sgl', by: SALES },
    { to: 'sql', by: SALES },
    { to: 'disqualified', by: BOTH },
  ],
  disqualified: [{ to: 'inquiry', by: ['admin'] }],
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; reason: 'same-stage' | 'illegal-move' | 'not-allowed-for-role' };

/** Decides whether `mover` may move a person from `from` to `to`. Pure. */
export function checkTransition(from: Stage, to: Stage, mover: Mover): TransitionCheck {
  if (from === to) return { ok: false, reason: 'same-stage' };
  const move = TRANSITIONS[from].find((m) => m.to === to);
  if (!move) return { ok: false, reason: 'illegal-move' };
  if (mover !== 'system' && !move.by.includes(mover)) return { ok: false, reason: 'not-allowed-for-role' };
  return { ok: true };
}

export function nextStages(from: Stage, mover: Mover): Stage[] {
  return TRANSITIONS[from].filter((m) => mover === 'system' || m.by.includes(mover)).map((m) => m.to);
}
