export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids come from URLs and bodies; anything that is not a uuid cannot name a row. */
export const isUuid = (id: string) => UUID.test(id);

const UNIQUE_VIOLATION = '23505';
/** A unique constraint refused the write (someone got there first: a double click, a race). */
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  // drizzle wraps driver errors; the PostgreSQL code sits on the cause.
  while (e && typeof e === 'object') {
    if ((e as { code?: string }).code === UNIQUE_VIOLATION) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
