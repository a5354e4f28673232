import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { CookieJar } from './cookie-jar.ts';

/**
 * A real OpenID Connect provider (the `oidc-provider` package, as identity services are built
 * on), on 127.0.0.1, for the sign-in tests. Its sign-in page has one button, "Continue as …",
 * for the account the test chose; and it can be told to misbehave in the ways an attacker or a
 * broken provider would (a token for another client, an expired one, one signed with another key).
 */
export interface TestAccount {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  groups?: string[];
  /** Switched off by the organisation's IT team: the provider refuses to sign them in. */
  disabled?: boolean;
  /** More claims for the ID token (Entra's `xms_edov`, `_claim_names` for too many groups). */
  extra?: Record<string, unknown>;
}

export type Misbehaviour = 'wrong-audience' | 'expired' | 'bad-signature' | 'wrong-nonce' | 'wrong-issuer';

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Who the next person at the provider's sign-in page is. */
  signInAs(sub: string): void;
  /** Tamper with the ID token of the next token response(s); null to behave again. */
  misbehave(how: Misbehaviour | null): void;
  /** The app's settings for this provider (OIDC_*), with any extra. */
  env(extra?: Record<string, string>, prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

const page = (body: string) =>
  `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Test Trust sign-in</title></head><body><main>${body}</main></body></html>`;

export async function startTestIdentityProvider(opts: {
  redirectUri: string;
  name?: string;
  domains?: string;
}): Promise<TestIdentityProvider> {
  const accounts = new Map<string, TestAccount>();
  let next: string | undefined;
  let misbehaviour: Misbehaviour | null = null;
  const clientId = 'coproduce-test';
  const clientSecret = 'a-client-secret-for-the-tests-only';

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: false } },
    // Claims go in the ID token, as Entra ID and Google put them.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name', 'groups'] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: a.email,
            email_verified: a.emailVerified,
            name: a.name,
            ...(a.groups ? { groups: a.groups } : {}),
            ...a.extra,
          };
        },
      };
    },
  });

  // The token endpoint's answer, tampered with when the test asks.
  provider.use(async (ctx: KoaContextWithOIDC, nextMiddleware: () => Promise<void>) => {
    await nextMiddleware();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== '/token' || ctx.status !== 200 || !misbehaviour || !body?.id_token) return;
    const claims = decodeJwt(body.id_token);
    const now = Math.floor(Date.now() / 1000);
    const changed =
      misbehaviour === 'wrong-audience'
        ? { ...claims, aud: 'another-service' }
        : misbehaviour === 'expired'
          ? { ...claims, iat: now - 7200, exp: now - 3600 }
          : misbehaviour === 'wrong-nonce'
            ? { ...claims, nonce: 'a-nonce-from-another-sign-in' }
            : misbehaviour === 'wrong-issuer'
              ? { ...claims, iss: 'https://impostor.example' }
              : claims;
    const key: CryptoKey = misbehaviour === 'bad-signature' ? stranger : privateKey;
    body.id_token = await new SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key);
  });

  const handle = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(\/continue)?$/.exec((req.url ?? '').split('?')[0]!);
    if (!match) return void handle(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const account = next ? accounts.get(next) : undefined;
        if (!match[2]) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            page(
              `<h1>Test Trust</h1><form method="post" action="/interaction/${match[1]}/continue"><button type="submit">Continue as ${account?.name ?? 'nobody'}</button></form>`,
            ),
          );
          return;
        }
        req.resume();
        if (!account || account.disabled) {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'This account is switched off' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        const grant = details.grantId
          ? (await provider.Grant.find(details.grantId))!
          : new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email profile');
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account.sub }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    })();
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signInAs: (sub) => void (next = sub),
    misbehave: (how) => void (misbehaviour = how),
    env: (extra = {}, prefix = 'OIDC_') =>
      Object.fromEntries(
        Object.entries({
          ISSUER: issuer,
          CLIENT_ID: clientId,
          CLIENT_SECRET: clientSecret,
          NAME: opts.name ?? 'your Test Trust account',
          DOMAINS: opts.domains ?? 'testtrust.nhs.uk',
          ...extra,
        }).map(([k, v]) => [prefix + k, v]),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser without a browser: follows the provider's redirects with its own cookies, presses
 * "Continue", and returns the URL the provider sends it back to (the app's callback).
 */
export async function throughProvider(authorizationUrl: string): Promise<URL> {
  const cookies = new CookieJar();
  let url = authorizationUrl;
  let method = 'GET';
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookies.header(),
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(method === 'POST' ? { body: '' } : {}),
    });
    cookies.take(res);
    if (res.status >= 300 && res.status < 400) {
      const location = new URL(res.headers.get('location')!, url);
      if (!location.href.startsWith(new URL(authorizationUrl).origin)) return location;
      url = location.href;
      method = 'GET';
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action) throw new Error(`The provider answered ${res.status}: ${html.slice(0, 300)}`);
    url = new URL(action, url).href;
    method = 'POST';
  }
  throw new Error('Too many redirects at the provider');
}
