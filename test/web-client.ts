import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './harness.ts';

/**
 * A browser stand-in over app.inject: keeps cookies, and sends the CSRF token that the page it
 * last loaded carried, as a real form would.
 */
export class WebClient {
  cookies = new Map<string, string>();
  lastCsrf = '';
  /** The CSRF token of each form on the last page, by its action. */
  private readonly formCsrf = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (match) this.lastCsrf = match[1]!;
    // Each form's own token, as a browser would send it: some routes accept only their form's token.
    const forms = [...res.body.matchAll(/<form\b[^>]*\baction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    if (forms.length) this.formCsrf.clear();
    for (const [, action, inner] of forms) {
      const token = /name="_csrf" value="([^"]+)"/.exec(inner!)?.[1];
      if (token) this.formCsrf.set(action!.replace(/&amp;/g, '&'), token);
    }
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.remember(res);
    return res;
  }

  /** Posts a form. `_csrf` defaults to the token from the last page; pass `_csrf: null` to omit it. */
  async post(url: string, fields: Record<string, string | string[] | null> = {}) {
    const params = new URLSearchParams();
    const withCsrf = { _csrf: this.formCsrf.get(url) ?? this.lastCsrf, ...fields };
    for (const [k, v] of Object.entries(withCsrf)) {
      if (v === null) continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    }
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: params.toString(),
    });
    this.remember(res);
    return res;
  }
}

export function linkFrom(body: string): string {
  const match = /https?:\/\/\S+\/sign-in\/verify\?token=[A-Za-z0-9_-]+/.exec(body);
  if (!match) throw new Error('No sign-in link in the email');
  return match[0];
}

/** Signs in the way a person does: ask for a link, open the email, follow it, press the button. */
export async function signIn(t: TestApp, email: string): Promise<WebClient> {
  const client = new WebClient(t.app);
  const before = (await t.emailsTo(email)).length;
  await client.get('/sign-in');
  const asked = await client.post('/sign-in', { email });
  if (asked.statusCode !== 303) throw new Error(`Sign-in request failed: ${asked.statusCode}`);
  // Other emails to the same address (a booking confirmation) may arrive meanwhile: wait for the link.
  const email1 = await t.waitForEmail(email, { after: before, subject: /link to sign in/ });
  const url = new URL(linkFrom(email1.body));
  await client.get(url.pathname + url.search);
  const done = await client.post('/sign-in/verify', { token: url.searchParams.get('token')! });
  // Staff land on their work, everyone else on their account.
  if (done.statusCode !== 303 || !['/account', '/work'].includes(String(done.headers.location)))
    throw new Error(`Sign-in failed: ${done.statusCode}`);
  return client;
}

/**
 * Calls the JSON API as an integration would: JSON in, a bearer token (the default one unless
 * another is given, or null for none). A string body is sent as it is, to test broken JSON.
 */
export function apiCaller(getApp: () => FastifyInstance, defaultToken: () => string) {
  return (method: 'GET' | 'POST', url: string, body?: unknown, bearer: string | null = defaultToken()) =>
    getApp().inject({
      method,
      url,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}
