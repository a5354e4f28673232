/** What the staff pages of boards and meetings share: who may use them, and reading their forms. */

export const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };
/** The hidden one-time key a create form carries, so a double click records once. */
export const keyOf = (body: unknown) => {
  const k = (body as Record<string, unknown> | undefined)?.submissionKey;
  return typeof k === 'string' ? k : undefined;
};
export const bodyOf = (body: unknown) => (body ?? {}) as Record<string, unknown>;
// Date inputs: an error on "from" belongs to its first box.
export const dateIds = (f: string) => (['from', 'to', 'due', 'date'].includes(f) ? `${f}-day` : f);
