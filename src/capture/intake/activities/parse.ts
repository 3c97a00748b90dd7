import { z } from 'zod';
import { ACTIVITY_TYPES, type ActivityType } from '../../../people/activity-types.ts';
import { normalizeEmail } from '../../../people/normalize.ts';
import { AppError, type FieldError } from '../../../platform/errors.ts';

/** How many activities one request may carry. */
export const MAX_BATCH = 10_000;
/** How far in the future an occurredAt may lie (clock skew of the sender). */
const FUTURE_SKEW_MS = 5 * 60_000;
const MAX_PROPERTIES_BYTES = 32 * 1024;

export const activityItemSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Client id: the same id is ingested once (idempotency)'),
    email: z.string().max(254).optional().describe('The person; an unknown e-mail creates an Inquiry'),
    personId: z.uuid().optional(),
    type: z.enum(ACTIVITY_TYPES),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('Default: now; history may be imported'),
    properties: z.record(z.string().max(100), z.unknown()).optional(),
    campaignId: z.uuid().optional(),
    source: z.string().max(200).optional().describe('First-touch source of a person this creates'),
    channel: z.string().max(100).optional().describe('First-touch channel of a person this creates'),
  })
  .strict();

export const activitiesBodySchema = z.union([
  activityItemSchema,
  z.object({ items: z.array(activityItemSchema).min(1).max(MAX_BATCH) }).strict(),
]);

type ItemInput = z.infer<typeof activityItemSchema>;

/** One validated activity, normalised and ready for the set-based insert. */
export interface ActivityDraft {
  index: number;
  clientId: string | null;
  email: string | null;
  personId: string | null;
  type: ActivityType;
  occurredAt: Date;
  properties: Record<string, unknown>;
  /** The properties as JSON, serialised once for the size check and the insert. */
  propertiesJson: string;
  campaignId: string | null;
  source: string | null;
  channel: string | null;
}

/** `items.3.type` as a reader writes it: `items[3].type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || 'body';
}

function validationError(errors: FieldError[]): AppError {
  const shown = errors.slice(0, 100);
  const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : '';
  return new AppError(
    422,
    'validation',
    'Invalid request',
    shown
      .slice(0, 3)
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ') + more,
    shown,
  );
}

/**
 * Validates one activity or a batch `{items: […]}` and normalises it. Every problem is reported
 * with the item's index and field (`items[3].type`); nothing is written when any item is bad.
 */
export function parseActivities(body: unknown, now: Date): { batch: boolean; drafts: ActivityDraft[] } {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'items' in body;
  if (isBatch) {
    const items = (body as { items: unknown }).items;
    if (!Array.isArray(items))
      throw validationError([{ path: 'items', message: 'must be an array of activities' }]);
    if (items.length === 0)
      throw validationError([{ path: 'items', message: 'must hold at least one activity' }]);
    if (items.length > MAX_BATCH) {
      throw validationError([
        { path: 'items', message: `at most ${MAX_BATCH} activities per request (got ${items.length})` },
      ]);
    }
  }
  if (!isBatch) {
    const extra =
      typeof body === 'object' && body !== null
        ? undefined
        : [{ path: 'body', message: 'must be an activity or {"items": […]}' }];
    if (extra) throw validationError(extra);
  } else {
    const keys = Object.keys(body as object).filter((k) => k !== 'items');
    if (keys.length > 0) throw validationError([{ path: keys[0], message: 'unknown field' }]);
  }
  const raw: unknown[] = isBatch ? (body as { items: unknown[] }).items : [body];
  const errors: FieldError[] = [];
  const drafts: ActivityDraft[] = [];
  const limit = now.getTime() + FUTURE_SKEW_MS;
  raw.forEach((value, index) => {
    const at = (field: string) => (isBatch ? `items[${index}].${field}` : field);
    const parsed = activityItemSchema.safeParse(value);
    if (!parsed.success) {
      const prefix = isBatch ? ['items', index] : [];
      for (const i of parsed.error.issues)
        errors.push({ path: formatPath([...prefix, ...i.path]), message: i.message });
      return;
    }
    const item: ItemInput = parsed.data;
    let email: string | null = null;
    if (item.email !== undefined) {
      email = normalizeEmail(item.email) ?? null;
      if (!email) errors.push({ path: at('email'), message: 'not a valid e-mail address' });
    } else if (!item.personId) {
      errors.push({ path: at('email'), message: 'email or personId is required' });
    }
    const occurredAt = item.occurredAt ? new Date(item.occurredAt) : now;
    if (occurredAt.getTime() > limit)
      errors.push({ path: at('occurredAt'), message: 'must not lie in the future' });
    const properties = item.properties ?? {};
    const propertiesJson = JSON.stringify(properties);
    if (propertiesJson.length > MAX_PROPERTIES_BYTES) {
      errors.push({ path: at('properties'), message: `at most ${MAX_PROPERTIES_BYTES} bytes of JSON` });
    }
    if (item.type === 'page_view' && properties.url !== undefined && typeof properties.url !== 'string') {
      errors.push({ path: at('properties.url'), message: 'must be a string' });
    }
    drafts.push({
      index,
      clientId: item.id ?? null,
      email,
      personId: item.personId ?? null,
      type: item.type,
      occurredAt,
      properties,
      propertiesJson,
      campaignId: item.campaignId ?? null,
      source: item.source?.trim() || null,
      channel: item.channel?.trim() || null,
    });
  });
  if (errors.length > 0) throw validationError(errors);
  return { batch: isBatch, drafts };
}

export { validationError };
