/**
 * Multi-touch attribution, pure. A deal's touches are its person's campaign touches up to the
 * opportunity's creation, one per campaign, ordered by (at, campaignId). Every model gives the
 * touches weights that sum to 1, and amounts are split into whole yen by largest remainder, so
 * the attributed amounts of a deal add up to its amount exactly.
 */

export const MODELS = ['first_touch', 'last_touch', 'linear', 'w_shaped'] as const;
export type Model = (typeof MODELS)[number];

export interface Touch {
  campaignId: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface Deal {
  id: string;
  amount: number;
  /** When the lead was created (epoch ms): the W-shaped model's lead-creation touch is the last touch up to it. */
  leadCreatedAt: number;
  /** Ordered by (at, campaignId); all at or before the opportunity's creation. */
  touches: Touch[];
}

/** A form or import records the person and its campaign membership in one request; this absorbs the clock skew between them. */
export const LEAD_CREATION_SLACK_MS = 3_600_000;

/** The index of the lead-creation touch: the last touch at or before the lead's creation (plus slack); the first touch if none. */
export function leadCreationIndex(touches: Touch[], leadCreatedAt: number): number {
  let idx = 0;
  touches.forEach((t, i) => {
    if (t.at <= leadCreatedAt + LEAD_CREATION_SLACK_MS) idx = i;
  });
  return idx;
}

/**
 * The share of each touch under a model. W-shaped: 30 % each to the first touch, the
 * lead-creation touch and the opportunity-creation touch (the last), 10 % spread evenly over
 * the others; a touch that plays several roles takes their shares together, and when there
 * are no others the shares are scaled up to make 100 %.
 */
export function touchWeights(model: Model, touches: Touch[], leadCreatedAt: number): number[] {
  const n = touches.length;
  if (n === 0) return [];
  switch (model) {
    case 'first_touch':
      return touches.map((_, i) => (i === 0 ? 1 : 0));
    case 'last_touch':
      return touches.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'linear':
      return touches.map(() => 1 / n);
    case 'w_shaped': {
      const w = touches.map(() => 0);
      for (const k of [0, leadCreationIndex(touches, leadCreatedAt), n - 1]) w[k] += 0.3;
      const others = w.map((x, i) => (x === 0 ? i : -1)).filter((i) => i >= 0);
      for (const i of others) w[i] = 0.1 / others.length;
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / total);
    }
  }
}

/** Splits a whole amount by weights into whole units that add up to it (largest remainder, ties to the earlier touch). */
export function allocate(amount: number, weights: number[]): number[] {
  if (weights.length === 0) return [];
  const raw = weights.map((w) => amount * w);
  const out = raw.map((x) => Math.floor(x + 1e-9));
  let rest = amount - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((x, i) => ({ i, frac: x - Math.floor(x + 1e-9) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; rest > 0 && k < order.length; k++, rest--) out[order[k].i] += 1;
  return out;
}

/** Each campaign's attributed amount over the deals. Deals without touches attribute nothing. */
export function attribute(deals: Deal[], model: Model): Map<string, number> {
  const out = new Map<string, number>();
  for (const deal of deals) {
    const parts = allocate(deal.amount, touchWeights(model, deal.touches, deal.leadCreatedAt));
    deal.touches.forEach((t, i) => out.set(t.campaignId, (out.get(t.campaignId) ?? 0) + parts[i]));
  }
  return out;
}
