import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { roleFromGroups, type OidcProviderConfig } from '../../config-oidc.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/ids.ts';
import type { Person, Role } from '../../db/schema.ts';
import { safeEqual, sha256 } from '../../lib/tokens.ts';
import { NotFoundError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { AuthRepository } from './auth-repository.ts';
import type { AuthService } from './auth-service.ts';

/** Why a sign-in with a provider was refused; `message` is for the person, in plain words. */
export class OidcSignInError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'state' | 'refused' | 'token' | 'unverified' | 'domain' | 'taken',
    message: string,
  ) {
    super(message);
  }
}

/** How long a person has at their provider's sign-in page before the attempt lapses. */
const ATTEMPT_MINUTES = 10;

export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** The address a provider gives, held to the same rule as one typed into the sign-in form. */
const emailClaim = z.string().trim().max(254).pipe(z.email());

/**
 * Signing in with an organisation's account: the authorization code flow with PKCE, `state` and
 * `nonce`, through openid-client (which checks the ID token's issuer, audience, expiry and nonce;
 * with non-repudiation checks on, its signature against the provider's published keys too).
 * The first sign-in links the provider's account to the person with that verified address, or
 * makes a participant; later ones find them by the provider's subject id.
 */
export function createOidcService(deps: {
  db: Db;
  config: Pick<Config, 'oidc' | 'publicUrl'>;
  auth: AuthRepository;
  openSession: AuthService['openSession'];
  people: Pick<PeopleService, 'findActiveByEmail' | 'createIn' | 'setRoleFromIdentityProvider'>;
  log: Pick<Logger, 'warn' | 'info'>;
}) {
  const { db, auth } = deps;
  const providers = deps.config.oidc;
  const redirectUri = `${deps.config.publicUrl}${OIDC_CALLBACK_PATH}`;
  const discovered = new Map<string, Promise<oidc.Configuration>>();

  function providerById(id: string): OidcProviderConfig {
    const found = providers.find((p) => p.id === id);
    if (!found) throw new NotFoundError('No such way to sign in');
    return found;
  }

  /** The provider's published settings, fetched once; a failed fetch is tried again next time. */
  function configurationOf(p: OidcProviderConfig): Promise<oidc.Configuration> {
    let pending = discovered.get(p.id);
    if (!pending) {
      const issuer = new URL(p.issuer);
      const execute = [oidc.enableNonRepudiationChecks];
      // Plain http only on this machine (config-oidc.ts refuses it elsewhere): for tests and trying it out.
      if (issuer.protocol === 'http:') execute.push(oidc.allowInsecureRequests);
      pending = oidc.discovery(issuer, p.clientId, { id_token_signed_response_alg: 'RS256' }, oidc.ClientSecretPost(p.clientSecret), {
        execute,
        timeout: 10,
      });
      // A provider that could not be reached is not asked again for half a minute: a queue of
      // people pressing the button should not each wait for it to time out.
      pending.catch(() => setTimeout(() => discovered.delete(p.id), 30_000).unref());
      discovered.set(p.id, pending);
    }
    return pending.catch((err: unknown) => {
      deps.log.warn({ provider: p.issuer, err: { message: (err as Error).message } }, 'identity provider could not be reached');
      throw new OidcSignInError('unreachable', `${p.name} cannot be reached just now. Try again in a few minutes, or use an email link.`);
    });
  }

  /**
   * Who this provider's account is here. Linking to someone already here by address needs the
   * provider to vouch for that address's domain by name (not `*`), and the person to have no other
   * account at this provider: an account elsewhere claiming an admin's address gets nothing.
   */
  async function findOrLink(tx: Executor, p: OidcProviderConfig, claims: oidc.IDToken, email: string): Promise<Person> {
    const known = await auth.findPersonByIdentity(tx, claims.iss, claims.sub);
    let person = known ?? (await deps.people.findActiveByEmail(email, tx));
    if (person && !known) {
      const taken = `Someone here already uses ${email}, and ${p.name} cannot be used to sign in as them. Use an email link instead.`;
      if (!p.domains.includes(domainOf(email))) throw new OidcSignInError('taken', taken);
      if (await auth.hasIdentityAt(tx, person.id, claims.iss)) throw new OidcSignInError('taken', taken);
    }
    if (!person) {
      // Someone signing in with their organisation's account works there: recorded as a
      // professional, which they can change on My account.
      const name = [claims.name, [claims.given_name, claims.family_name].filter(Boolean).join(' ')].find(
        (n): n is string => typeof n === 'string' && n.trim().length > 0,
      );
      person = await deps.people.createIn(tx, null, {
        name: (name ?? email.slice(0, email.indexOf('@'))).trim().slice(0, 200),
        email,
        experience: 'professional',
      });
    }
    if (!known) deps.log.info({ personId: person.id, provider: p.issuer }, 'organisation account linked');
    await auth.linkIdentity(tx, { issuer: claims.iss, subject: claims.sub, personId: person.id });
    const role: Role | undefined = roleFromGroups(p, claims);
    if (role) person = await deps.people.setRoleFromIdentityProvider(tx, person, role, p.name);
    return person;
  }

  return {
    /** The providers to offer on the sign-in page. */
    providers: () => providers.map((p) => ({ id: p.id, name: p.name })),

    /** The provider that serves this address's domain, if one does (`*` is not a match here). */
    providerForEmail(email: string): { id: string; name: string } | undefined {
      const domain = domainOf(email);
      const p = providers.find((x) => x.domains.includes(domain));
      return p ? { id: p.id, name: p.name } : undefined;
    },

    /** Starts a sign-in: where to send the browser, and the state it must bring back (kept in a cookie). */
    async begin(providerId: string, opts: { loginHint?: string } = {}): Promise<{ url: string; state: string }> {
      const p = providerById(providerId);
      const configuration = await configurationOf(p);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      await auth.insertOidcSignIn(db, {
        stateHash: sha256(state),
        provider: p.id,
        nonce,
        codeVerifier,
        expiresAt: new Date(Date.now() + ATTEMPT_MINUTES * 60_000),
      });
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
      });
      return { url: url.href, state };
    },

    /**
     * Finishes a sign-in from the provider's redirect: the state must be the one this browser was
     * given, unused and in time; the code is exchanged once; the ID token must be valid and carry a
     * verified address in a domain this provider serves.
     */
    async finish(callbackUrl: URL, browserState: string | undefined): Promise<{ sessionId: string; person: Person; provider: string }> {
      const state = callbackUrl.searchParams.get('state') ?? '';
      const again = 'This sign-in was started in another browser, took too long, or has already been used. Start again.';
      if (!state || !browserState || !safeEqual(state, browserState)) throw new OidcSignInError('state', again);
      const attempt = await auth.takeOidcSignIn(db, sha256(state));
      if (!attempt || attempt.expiresAt.getTime() <= Date.now()) throw new OidcSignInError('state', again);
      const p = providerById(attempt.provider);
      const configuration = await configurationOf(p);

      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        const e = err as { name?: string; code?: string; error?: string; message?: string };
        deps.log.warn(
          { provider: p.issuer, err: { name: e.name, code: e.code, error: e.error, message: e.message } },
          'sign-in with a provider refused',
        );
        if (e.name === 'AuthorizationResponseError')
          throw new OidcSignInError(
            'refused',
            `${p.name} did not sign you in. If you should have access, ask your IT team, or use an email link.`,
          );
        throw new OidcSignInError('token', `We could not confirm who you are with ${p.name}. Start again, or use an email link.`);
      }
      if (!claims)
        throw new OidcSignInError('token', `We could not confirm who you are with ${p.name}. Start again, or use an email link.`);

      const parsed = emailClaim.safeParse(claims.email);
      const email = parsed.success ? parsed.data : '';
      if (!email || claims[p.emailVerifiedClaim] !== true)
        throw new OidcSignInError(
          'unverified',
          `${p.name} did not confirm your email address, so we cannot tell which account is yours. Use an email link instead.`,
        );
      const refusedDomain = () =>
        new OidcSignInError('domain', `Accounts ending ${domainOf(email)} cannot sign in with ${p.name} here. Use an email link instead.`);
      if (!p.domains.includes('*') && !p.domains.includes(domainOf(email))) throw refusedDomain();
      // Google verifies any address a Google account was made with; only its hosted domain (`hd`)
      // says the organisation manages the account, and can switch it off.
      if (
        new URL(p.issuer).hostname === 'accounts.google.com' &&
        !p.domains.includes('*') &&
        !p.domains.includes(String(claims.hd ?? '').toLowerCase())
      )
        throw refusedDomain();

      const signIn = () =>
        db.transaction(async (tx) => {
          const person = await findOrLink(tx, p, claims, email);
          const sessionId = await deps.openSession(tx, person, { provider: p.name });
          return { sessionId, person, provider: p.name };
        });
      try {
        return await signIn();
      } catch (err) {
        // Two first sign-ins at once for one address: the second finds the person the first made.
        if (!isUniqueViolation(err)) throw err;
        return signIn();
      }
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
