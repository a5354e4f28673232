import type { z } from 'zod';
import { ValidationError } from './validation.ts';

/**
 * Keyset pages with one opaque cursor format: the sort key of the last row shown, as base64url
 * JSON. A cursor that does not decode to the key a list expects is a 400 with a message.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, raw: string | undefined | null): z.infer<S> | undefined {
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ValidationError([
      { path: 'cursor', message: 'That cursor is not valid: use the nextCursor of the page before, or leave it out to start again' },
    ]);
  return parsed.data;
}

/**
 * Rows fetched with `limit + 1` become a page and the cursor to the next one (null on the last).
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (last: T) => Record<string, string | number>) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}
