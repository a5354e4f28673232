import { isUuid } from '../../db/ids.ts';

/** Opaque keyset cursors over (name, id) for the people list, shared by pages and the API. */
export function decodeCursor(raw: string | undefined): { name: string; id: string } | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { name?: unknown; id?: unknown };
    if (typeof parsed.name === 'string' && typeof parsed.id === 'string' && isUuid(parsed.id)) return { name: parsed.name, id: parsed.id };
  } catch {
    // A damaged cursor starts the list again rather than failing.
  }
  return undefined;
}

export const encodeCursor = (p: { name: string; id: string }) => Buffer.from(JSON.stringify({ name: p.name, id: p.id })).toString('base64url');
