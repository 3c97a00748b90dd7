import type { Step, StepType } from './types.ts';

/** Where a new step goes: after a step (its `next`, or a branch's `yes`/`no`), or at the start. */
export interface Slot {
  after: string | null;
  port: 'next' | 'yes' | 'no';
}

export interface Defaults {
  templateId?: string;
  campaignId?: string;
  ownerId?: string;
  segmentId?: string;
}

export function successors(s: Step): (string | null | undefined)[] {
  if (s.type === 'branch') return [s.yes, s.no];
  if (s.type === 'exit') return [];
  return [s.next];
}

function target(s: Step, port: Slot['port']): string | null {
  const v = (s as unknown as Record<string, unknown>)[port];
  return typeof v === 'string' ? v : null;
}

function withTarget(s: Step, port: Slot['port'], id: string | null): Step {
  return { ...s, [port]: id } as Step;
}

function freshId(steps: Step[], type: StepType): string {
  const prefix = type.replace(/_/g, '-');
  let n = 1;
  while (steps.some((s) => s.id === `${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

export function blankStep(type: StepType, id: string, d: Defaults): Step {
  switch (type) {
    case 'send_email':
      return { id, type, templateId: d.templateId ?? '', next: null };
    case 'wait':
      return { id, type, duration: { amount: 3, unit: 'days' }, next: null };
    case 'branch':
      return { id, type, condition: { kind: 'opened', withinHours: 72 }, yes: null, no: null };
    case 'update_field':
      return { id, type, field: 'customFields.nurture', value: '', next: null };
    case 'adjust_score':
      return { id, type, points: 10, next: null };
    case 'change_stage':
      return { id, type, stage: 'mql', next: null };
    case 'add_to_campaign':
      return { id, type, campaignId: d.campaignId ?? '', status: 'invited', next: null };
    case 'assign_owner':
      return { id, type, ownerId: d.ownerId ?? '', next: null };
    case 'notify_owner':
      return { id, type, next: null };
    case 'webhook':
      return { id, type, url: 'https://', next: null };
    case 'exit':
      return { id, type };
  }
}

/** Drops steps no longer reachable from the first one. */
export function reachableOnly(steps: Step[]): Step[] {
  if (steps.length === 0) return steps;
  const byId = new Map(steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const stack = [steps[0].id];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    for (const n of successors(byId.get(id) as Step)) if (n) stack.push(n);
  }
  return steps.filter((s) => seen.has(s.id));
}

/** Inserts a step of this type at a slot; what followed the slot now follows the new step. */
export function insertStep(
  steps: Step[],
  slot: Slot,
  type: StepType,
  d: Defaults,
): { steps: Step[]; id: string } {
  const id = freshId(steps, type);
  const step = blankStep(type, id, d);
  if (slot.after === null) {
    const follow = steps[0]?.id ?? null;
    const linked =
      type === 'exit' ? step : type === 'branch' ? { ...step, yes: follow } : { ...step, next: follow };
    return { steps: reachableOnly([linked as Step, ...steps]), id };
  }
  const parent = steps.find((s) => s.id === slot.after);
  if (!parent) return { steps, id };
  const follow = target(parent, slot.port);
  const linked =
    type === 'exit'
      ? step
      : type === 'branch'
        ? ({ ...step, yes: follow } as Step)
        : ({ ...step, next: follow } as Step);
  const out = steps.map((s) => (s.id === parent.id ? withTarget(s, slot.port, id) : s));
  const at = out.findIndex((s) => s.id === parent.id);
  out.splice(at + 1, 0, linked);
  return { steps: reachableOnly(out), id };
}

/** Removes a step; whatever led to it now leads to what followed it (a branch's "yes" path). */
export function removeStep(steps: Step[], id: string): Step[] {
  const gone = steps.find((s) => s.id === id);
  if (!gone) return steps;
  const follow =
    gone.type === 'exit' ? null : gone.type === 'branch' ? (gone.yes ?? null) : (gone.next ?? null);
  const rest = steps
    .filter((s) => s.id !== id)
    .map((s) => {
      let out = s;
      for (const port of ['next', 'yes', 'no'] as const)
        if (target(out, port) === id) out = withTarget(out, port, follow);
      return out;
    });
  if (steps[0]?.id === id && follow) {
    const first = rest.find((s) => s.id === follow);
    if (first) return reachableOnly([first, ...rest.filter((s) => s.id !== follow)]);
  }
  return reachableOnly(rest);
}

export function replaceStep(steps: Step[], step: Step): Step[] {
  return steps.map((s) => (s.id === step.id ? step : s));
}
