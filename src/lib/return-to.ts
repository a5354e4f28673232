/**
 * A `returnTo` given in a link ("add a person, then come back to the booking") is followed only
 * when it is a path on this site: `/manage/events/…`, never `//evil.example`, `/\evil.example`,
 * `https://…` or `javascript:`. Anything else is ignored (null), so a crafted link cannot send
 * someone to another site after they act.
 */
export function safeReturnPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 2000) return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  // Control characters and backslashes are how browsers are tricked into another origin.
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '\\')) return null;
  const base = 'http://same-origin.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  // Checked again once normalised: "/..//evil.example" becomes "//evil.example", another site.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') || path.startsWith('/\\') ? null : path;
}

/** The return path with `name=value` added to its query (before any #fragment). */
export function withQuery(returnPath: string, name: string, value: string): string {
  const url = new URL(returnPath, 'http://same-origin.invalid');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}${url.hash}`;
}
