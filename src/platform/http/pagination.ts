import { z } from 'zod';
import { AppError } from '../errors.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
};

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; a tampered or foreign cursor is a 400 naming the field. */
export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {
    /* fall through */
  }
  throw new AppError(400, 'validation', 'Invalid request', 'cursor: not a cursor returned by this list', [
    { path: 'cursor', message: 'not a cursor returned by this list' },
  ]);
}

/** Takes limit+1 rows and turns them into a page. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => unknown[]) {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(cursorOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
