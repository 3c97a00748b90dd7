import { describe, expect, it } from 'vitest';
import { checkTransition, nextStages, STAGES, TRANSITIONS } from './stages.ts';

describe('the waterfall transition table', () => {
  it('lets marketing qualify an inquiry and sales accept an MQL', () => {
    expect(checkTransition('inquiry', 'mql', 'marketing')).toEqual({ ok: true });
    expect(checkTransition('mql', 'sal', 'sales')).toEqual({ ok: true });
    expect(checkTransition('sgl', 'sql', 'sales')).toEqual({ ok: true });
    expect(checkTransition('sal', 'recycled', 'sales')).toEqual({ ok: true });
  });

  it('refuses skipping from inquiry straight to won, for everyone', () => {
    expect(checkTransition('inquiry', 'won', 'system')).toEqual({ ok: false, reason: 'illegal-move' });
    expect(checkTransition('inquiry', 'won', 'admin')).toEqual({ ok: false, reason: 'illegal-move' });
  });

  it('keeps accepting MQLs for sales, not marketing', () => {
    expect(checkTransition('mql', 'sal', 'marketing')).toEqual({ ok: false, reason: 'not-allowed-for-role' });
    expect(checkTransition('mql', 'sal', 'viewer')).toEqual({ ok: false, reason: 'not-allowed-for-role' });
  });

  it('lets recycled leads re-qualify and every live stage be disqualified', () => {
    expect(nextStages('recycled', 'system')).toContain('mql');
    for (const stage of STAGES) {
      if (stage !== 'disqualified' && stage !== 'won') expect(TRANSITIONS[stage].some((m) => m.to === 'disqualified' || m.to === 'recycled')).toBe(true);
    }
  });

  it('treats a move to the same stage as no move', () => {
    expect(checkTransition('mql', 'mql', 'admin')).toEqual({ ok: false, reason: 'same-stage' });
  });
});
