import type { Queryable } from '../../platform/db/client.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { parseFilter } from '../mail/api.ts';
import { type ScenarioInput, type Step, successors } from './model.ts';

function stepPath(steps: Step[], id: string, field?: string): string {
  const i = steps.findIndex((s) => s.id === id);
  return `steps[${i}]${field ? `.${field}` : ''}`;
}

/**
 * The checks on the shape of the flow, without the database: unique ids, every link leads to
 * a step that exists, every step can be reached from the first, and every cycle passes a wait
 * (a cycle without one would run forever in an instant). Each error names the step and field.
 */
export function checkFlow(input: Pick<ScenarioInput, 'steps' | 'timeZone'>): FieldError[] {
  const errors: FieldError[] = [];
  const { steps } = input;
  const byId = new Map<string, Step>();
  steps.forEach((s, i) => {
    if (byId.has(s.id)) errors.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}"` });
    byId.set(s.id, s);
  });
  if (errors.length) return errors;
  for (const s of steps) {
    const fields =
      s.type === 'branch' ? (['yes', 'no'] as const) : s.type === 'exit' ? [] : (['next'] as const);
    for (const f of fields) {
      const target = (s as Record<string, unknown>)[f] as string | null | undefined;
      if (target && !byId.has(target)) {
        errors.push({
          path: stepPath(steps, s.id, f),
          message: `step "${s.id}" leads to "${target}", which is not a step of this scenario`,
        });
      }
      if (target === s.id && s.type !== 'wait') {
        errors.push({
          path: stepPath(steps, s.id, f),
          message: `step "${s.id}" leads to itself without a wait`,
        });
      }
    }
    if (s.type === 'wait' && !s.next) {
      errors.push({
        path: stepPath(steps, s.id, 'next'),
        message: `wait "${s.id}" leads nowhere: a wait must be followed by a step`,
      });
    }
    if (s.type === 'wait' && !s.duration && !s.until) {
      errors.push({
        path: stepPath(steps, s.id, 'duration'),
        message: `wait "${s.id}" needs a duration or an until time`,
      });
    }
    if (
      s.type === 'branch' &&
      (s.condition.kind === 'opened' || s.condition.kind === 'clicked') &&
      s.condition.stepId
    ) {
      const target = byId.get(s.condition.stepId);
      if (!target || target.type !== 'send_email') {
        errors.push({
          path: stepPath(steps, s.id, 'condition.stepId'),
          message: `"${s.condition.stepId}" is not a send e-mail step of this scenario`,
        });
      }
    }
  }
  if (errors.length) return errors;

  const reached = new Set<string>();
  const stack = [steps[0].id];
  while (stack.length) {
    const id = stack.pop() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const n of successors(byId.get(id) as Step)) if (n) stack.push(n);
  }
  for (const s of steps) {
    if (!reached.has(s.id))
      errors.push({
        path: stepPath(steps, s.id, 'id'),
        message: `step "${s.id}" cannot be reached from the first step`,
      });
  }

  const cycle = cycleWithoutWait(steps, byId);
  if (cycle) {
    errors.push({
      path: stepPath(
        steps,
        cycle[0],
        steps.find((s) => s.id === cycle[0])?.type === 'branch' ? 'yes' : 'next',
      ),
      message: `steps ${cycle.map((c) => `"${c}"`).join(' → ')} form a loop with no wait step`,
    });
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: input.timeZone });
  } catch {
    errors.push({ path: 'timeZone', message: `unknown time zone "${input.timeZone}"` });
  }
  return errors;
}

/** A loop made only of steps that are not waits, as the list of its step ids, or null. */
function cycleWithoutWait(steps: Step[], byId: Map<string, Step>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    const step = byId.get(id) as Step;
    if (step.type === 'wait') return null;
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const n of successors(step)) {
      if (!n) continue;
      const found = visit(n);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const s of steps) {
    const found = visit(s.id);
    if (found) return found;
  }
  return null;
}

async function existing(q: Queryable, sql: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await q.query<{ id: string }>(sql, [ids]);
  return new Set(r.rows.map((row) => row.id));
}

/**
 * The checks against the database: every template, segment, form, campaign and user the
 * scenario names exists in the workspace.
 */
export async function checkReferences(
  q: Queryable,
  workspaceId: number,
  input: ScenarioInput,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const refs: { path: string; kind: 'template' | 'segment' | 'form' | 'campaign' | 'user'; id: string }[] =
    [];
  const t = input.trigger;
  if (t.type === 'form_submitted' && t.formId)
    refs.push({ path: 'trigger.formId', kind: 'form', id: t.formId });
  if (t.type === 'segment_entered')
    refs.push({ path: 'trigger.segmentId', kind: 'segment', id: t.segmentId });
  if (input.goal?.segmentId) refs.push({ path: 'goal.segmentId', kind: 'segment', id: input.goal.segmentId });
  input.steps.forEach((s, i) => {
    if (s.type === 'send_email')
      refs.push({ path: `steps[${i}].templateId`, kind: 'template', id: s.templateId });
    if (s.type === 'branch' && s.condition.kind === 'segment')
      refs.push({ path: `steps[${i}].condition.segmentId`, kind: 'segment', id: s.condition.segmentId });
    if (s.type === 'branch' && s.condition.kind === 'filter') {
      try {
        parseFilter(s.condition.filter, `steps[${i}].condition.filter`);
      } catch (err) {
        if (!(err instanceof AppError) || !err.errors) throw err;
        errors.push(...err.errors.map((e) => ({ path: e.path, message: `step "${s.id}": ${e.message}` })));
      }
    }
    if (s.type === 'add_to_campaign')
      refs.push({ path: `steps[${i}].campaignId`, kind: 'campaign', id: s.campaignId });
    if (s.type === 'assign_owner') refs.push({ path: `steps[${i}].ownerId`, kind: 'user', id: s.ownerId });
  });
  const tables = {
    template: 'email_templates',
    segment: 'segments',
    form: 'forms',
    campaign: 'campaigns',
    user: 'users',
  } as const;
  for (const kind of Object.keys(tables) as (keyof typeof tables)[]) {
    const ids = [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id))];
    if (ids.length === 0) continue;
    const found = await existing(
      q,
      `SELECT id::text AS id FROM ${tables[kind]} WHERE workspace_id = ${Number(workspaceId)} AND id = ANY($1::uuid[])`,
      ids,
    );
    for (const r of refs) {
      if (r.kind === kind && !found.has(r.id)) {
        const stepId = r.path.startsWith('steps[')
          ? input.steps[Number(r.path.slice(6, r.path.indexOf(']')))].id
          : null;
        errors.push({
          path: r.path,
          message: `${stepId ? `step "${stepId}": ` : ''}unknown ${kind} ${r.id}`,
        });
      }
    }
  }
  return errors;
}
