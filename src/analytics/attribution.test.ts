import { describe, expect, it } from 'vitest';
import {
  allocate,
  attribute,
  type Deal,
  LEAD_CREATION_SLACK_MS,
  MODELS,
  touchWeights,
} from './attribution.ts';
import { prng } from './test-history.ts';

const DAY = 86_400_000;
const touches = (...days: number[]) => days.map((d, i) => ({ campaignId: `c${i}`, at: d * DAY }));

describe('attribution models', () => {
  it('gives first touch and last touch all the credit to one end', () => {
    expect(touchWeights('first_touch', touches(1, 2, 3), 0)).toEqual([1, 0, 0]);
    expect(touchWeights('last_touch', touches(1, 2, 3), 0)).toEqual([0, 0, 1]);
    expect(touchWeights('linear', touches(1, 2, 3, 4), 0)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('splits W-shaped 30/30/30 over first, lead-creation and opportunity-creation touches and 10 over the rest', () => {
    // Lead created on day 3: the touch on day 3 created it; day 9 is the last before the opportunity.
    const w = touchWeights('w_shaped', touches(1, 3, 5, 7, 9), 3 * DAY);
    expect(w.map((x) => Math.round(x * 1000) / 1000)).toEqual([0.3, 0.3, 0.05, 0.05, 0.3]);
    // A single touch plays all three roles.
    expect(touchWeights('w_shaped', touches(1), 1 * DAY)).toEqual([1]);
    // Two touches, the first created the lead: it holds two roles (60 %) against one (30 %).
    const two = touchWeights('w_shaped', touches(1, 4), 1 * DAY);
    expect(two[0]).toBeCloseTo(2 / 3);
    expect(two[1]).toBeCloseTo(1 / 3);
    // A touch within the slack after creation still counts as the one that created the lead.
    const slack = touchWeights('w_shaped', touches(1, 2, 6, 8), 2 * DAY - LEAD_CREATION_SLACK_MS / 2);
    expect(slack[1]).toBeCloseTo(0.3);
  });

  it('splits whole yen by largest remainder so the parts always add up to the amount', () => {
    expect(allocate(100, [1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(allocate(0, [0.5, 0.5])).toEqual([0, 0]);
    expect(allocate(7, [0, 1])).toEqual([0, 7]);
  });

  it('attributes exactly the won revenue of touched deals under every model, on randomised deals', () => {
    const random = prng(42);
    for (let round = 0; round < 50; round++) {
      const deals: Deal[] = Array.from({ length: 40 }, (_, i) => {
        const n = Math.floor(random() * 6);
        const start = Math.floor(random() * 100);
        const ts = Array.from({ length: n }, (_, k) => ({
          campaignId: `c${Math.floor(random() * 9)}-${k}`,
          at: (start + k * Math.floor(1 + random() * 20)) * DAY,
        }));
        return {
          id: `d${i}`,
          amount: Math.floor(random() * 10_000_000),
          leadCreatedAt: (start + Math.floor(random() * 60)) * DAY,
          touches: ts,
        };
      });
      const touched = deals.filter((d) => d.touches.length > 0).reduce((s, d) => s + d.amount, 0);
      for (const model of MODELS) {
        const sum = [...attribute(deals, model).values()].reduce((a, b) => a + b, 0);
        expect(sum).toBe(touched);
        for (const d of deals) {
          const w = touchWeights(model, d.touches, d.leadCreatedAt);
          if (w.length) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
          expect(w.every((x) => x >= 0)).toBe(true);
        }
      }
    }
  });
});
