import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import {
  startTestIdentityProvider,
  throughProvider,
  type TestAccount,
  type TestIdentityProvider,
} from '../../../test/identity-provider.ts';
import { WebClient } from '../../../test/web-client.ts';
import { OIDC_STATE_COOKIE } from './oidc-routes.ts';

/** Signing in with an organisation's account, against a real OpenID Connect provider on this machine. */
describe('sign in with an organisation account (OpenID Connect)', () => {
  let idp: TestIdentityProvider;
  let partners: TestIdentityProvider;
  let t: TestApp;
  let db: pg.Client;
  const redirectUri = 'http://localhost:3000/sign-in/oidc/callback';

  before(async () => {
    // Two providers: a trust's, for its own domain, with roles managed here; and a partners'
    // provider that admits any domain and sets roles from its groups.
    idp = await startTestIdentityProvider({ redirectUri });
    partners = await startTestIdentityProvider({ redirectUri, name: 'Partners account', domains: '*' });
    t = await startTestApp({
      ...idp.env(),
      ...partners.env({ GROUPS_CLAIM: 'groups', STAFF_GROUPS: 'coproduce-staff', ADMIN_GROUPS: 'coproduce-admins' }, 'OIDC_2_'),
    });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
    await idp.close();
    await partners.close();
  });
  beforeEach(() => idp.misbehave(null));

  let n = 0;
  function account(overrides: Partial<TestAccount> = {}, at = idp) {
    n++;
    const a: TestAccount = {
      sub: `sub-${n}-${Date.now()}`,
      email: `person${n}@testtrust.nhs.uk`,
      emailVerified: true,
      name: `Trust Person ${n}`,
      ...overrides,
    };
    at.accounts.set(a.sub, a);
    at.signInAs(a.sub);
    return a;
  }

  /** Presses "Sign in with …", signs in at the provider, and comes back: the callback's answer. */
  async function signInWithProvider(client = new WebClient(t.app), provider = '1') {
    await client.get('/sign-in');
    const start = await client.get(`/sign-in/oidc/${provider}`);
    assert.equal(start.statusCode, 303, start.body);
    const callback = await throughProvider(String(start.headers.location));
    const res = await client.get(callback.pathname + callback.search);
    return { client, res, callback, startLocation: new URL(String(start.headers.location)) };
  }

  const sessionsOf = async (personId: string) =>
    Number((await db.query('select count(*) from web_sessions where person_id = $1', [personId])).rows[0].count);
  const refusedPage = (body: string) => /You are not signed in/.test(body);

  test('the sign-in page offers the provider; the flow uses PKCE, state and nonce; a new person is made and signed in', async () => {
    const page = await new WebClient(t.app).get('/sign-in');
    assert.match(page.body, /Sign in with your Test Trust account/);
    assert.match(page.body, /Email me a link/, 'email links stay');

    const a = account({ name: 'Ada Newcomer' });
    const { client, res, startLocation } = await signInWithProvider();
    const params = startLocation.searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.ok((params.get('code_challenge') ?? '').length >= 43);
    assert.ok((params.get('state') ?? '').length >= 32 && (params.get('nonce') ?? '').length >= 32);
    assert.equal(params.get('redirect_uri'), 'http://localhost:3000/sign-in/oidc/callback');

    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/account', 'a participant lands on their account');
    const account1 = await client.get('/account');
    assert.equal(account1.statusCode, 200);
    assert.match(account1.body, /Ada Newcomer/);
    const person = (await t.services.people.findActiveByEmail(a.email))!;
    assert.equal(person.role, 'participant');
    assert.equal(person.experience, 'professional');
    const audit = await db.query(`select details from audit_log where subject_id = $1 and action = 'person.signed_in'`, [person.id]);
    assert.deepEqual(audit.rows[0].details, { with: 'your Test Trust account' });
    assert.ok(!client.cookies.has(OIDC_STATE_COOKIE), 'the state cookie is spent');
  });

  test('the first sign-in links to the person already here with that verified address; later ones find them by the provider’s id', async () => {
    const existing = await createPerson(t.services, { email: 'Known.Staff@testtrust.nhs.uk', name: 'Known Staff' }, 'staff');
    const a = account({ email: 'known.staff@testtrust.nhs.uk', groups: [] });
    const first = await signInWithProvider();
    assert.equal(first.res.headers.location, '/work', 'staff land on their work: the role managed here is kept');
    const linked = await db.query('select person_id from person_identities where subject = $1', [a.sub]);
    assert.deepEqual(linked.rows, [{ person_id: existing.id }]);

    // The provider's address changes (a name change, say): still the same person here.
    a.email = 'known.staff.renamed@testtrust.nhs.uk';
    idp.signInAs(a.sub);
    const again = await signInWithProvider();
    assert.equal(again.res.statusCode, 303);
    assert.equal(await sessionsOf(existing.id), 2);
    assert.equal(Number((await db.query('select count(*) from people where email ilike $1', ['%known.staff%'])).rows[0].count), 1);
  });

  test('roles follow the provider’s groups when configured, and each change is audited', async () => {
    const a = account({ email: 'lead@partner-charity.org.uk', groups: ['coproduce-staff', 'everyone'] }, partners);
    assert.equal((await signInWithProvider(undefined, '2')).res.headers.location, '/work');
    const person = (await t.services.people.findActiveByEmail(a.email))!;
    assert.equal(person.role, 'staff');
    // Too many groups to list in the token: the role is left as it is.
    a.groups = undefined;
    a.extra = { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: `${partners.issuer}/groups` } } };
    partners.signInAs(a.sub);
    assert.equal((await signInWithProvider(undefined, '2')).res.headers.location, '/work');
    // Taken out of the group: participant.
    a.extra = undefined;
    a.groups = ['everyone'];
    partners.signInAs(a.sub);
    assert.equal((await signInWithProvider(undefined, '2')).res.headers.location, '/account');
    assert.equal((await t.services.people.findActiveByEmail(a.email))!.role, 'participant');
    const changes = await db.query(`select details from audit_log where subject_id = $1 and action = 'role.changed' order by at`, [
      person.id,
    ]);
    assert.deepEqual(
      changes.rows.map((r) => r.details),
      [
        { from: 'participant', to: 'staff', by: 'Partners account' },
        { from: 'staff', to: 'participant', by: 'Partners account' },
      ],
    );
  });

  test('an address in the provider’s domain goes straight to it from the email form, with the address as a hint', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'someone@TestTrust.nhs.uk' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Accounts ending TestTrust\.nhs\.uk sign in with your Test Trust account/);
    const link = /href="(\/sign-in\/oidc\/1\?hint=[^"]+)"/.exec(res.body)?.[1];
    assert.ok(link, 'a link on to the provider (a redirect from the form would meet its CSP)');
    const onward = await client.get(link.replace(/&amp;/g, '&'));
    assert.equal(onward.statusCode, 303);
    const to = new URL(String(onward.headers.location));
    assert.equal(to.origin, idp.issuer);
    assert.equal(to.searchParams.get('login_hint'), 'someone@TestTrust.nhs.uk');
    assert.ok(client.cookies.has(OIDC_STATE_COOKIE));
    assert.equal((await t.emailsTo('someone@testtrust.nhs.uk')).length, 0, 'no email link for a provider’s domain');
    // Another domain still gets an email link.
    await createPerson(t.services, { email: 'carer@example.org' });
    const other = await client.post('/sign-in', { email: 'carer@example.org' });
    assert.equal(other.headers.location, '/sign-in/check-email');
  });

  test('a wrong or missing state, or a callback in another browser, is refused and signs nobody in', async () => {
    const a = account();
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const start = await client.get('/sign-in/oidc/1');
    const callback = await throughProvider(String(start.headers.location));

    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'x'.repeat(43));
    const wrong = await client.get(tampered.pathname + tampered.search);
    assert.equal(wrong.statusCode, 400);
    assert.ok(refusedPage(wrong.body));
    assert.match(wrong.body, /started in another browser, took too long, or has already been used/);

    // The genuine callback, but in a browser that did not start it (a login CSRF).
    const elsewhere = await new WebClient(t.app).get(callback.pathname + callback.search);
    assert.equal(elsewhere.statusCode, 400);
    assert.equal(await t.services.people.findActiveByEmail(a.email), undefined, 'nobody was made or signed in');
  });

  test('a replayed callback, and a used code brought back with a fresh state, are refused', async () => {
    const a = account();
    const first = await signInWithProvider();
    assert.equal(first.res.statusCode, 303);
    const person = (await t.services.people.findActiveByEmail(a.email))!;

    // The same callback again, with the same cookies (the state is spent).
    const replay = new WebClient(t.app);
    replay.cookies.set(OIDC_STATE_COOKIE, first.callback.searchParams.get('state')!);
    const replayed = await replay.get(first.callback.pathname + first.callback.search);
    assert.equal(replayed.statusCode, 400);

    // A fresh sign-in begun, and the old code sent back with its new state: the provider refuses the code.
    const client = new WebClient(t.app);
    const start = await client.get('/sign-in/oidc/1');
    const state = new URL(String(start.headers.location)).searchParams.get('state')!;
    const res = await client.get(
      `/sign-in/oidc/callback?code=${encodeURIComponent(first.callback.searchParams.get('code')!)}&state=${state}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /could not confirm who you are/);
    assert.equal(await sessionsOf(person.id), 1, 'only the first sign-in made a session');
  });

  for (const [how, why] of [
    ['wrong-audience', 'an ID token issued for another service'],
    ['expired', 'an ID token that has expired'],
    ['bad-signature', 'an ID token not signed with the provider’s published key'],
    ['wrong-nonce', 'an ID token made for another sign-in (its nonce)'],
    ['wrong-issuer', 'an ID token from another issuer'],
  ] as const) {
    test(`${why} is refused`, async () => {
      const a = account();
      idp.misbehave(how);
      const { res } = await signInWithProvider();
      assert.equal(res.statusCode, 400);
      assert.ok(refusedPage(res.body));
      assert.match(res.body, /could not confirm who you are/);
      assert.equal(await t.services.people.findActiveByEmail(a.email), undefined);
    });
  }

  test('an unverified address, or one in a domain the provider does not serve here, is refused', async () => {
    const unverified = account({ emailVerified: false });
    const first = await signInWithProvider();
    assert.equal(first.res.statusCode, 400);
    assert.match(first.res.body, /did not confirm your email address/);
    assert.equal(await t.services.people.findActiveByEmail(unverified.email), undefined);

    // Someone already here with that address is not signed in by an account of another domain.
    const here = await createPerson(t.services, { email: 'ceo@othercouncil.gov.uk' }, 'admin');
    account({ email: 'ceo@othercouncil.gov.uk' });
    const second = await signInWithProvider();
    assert.equal(second.res.statusCode, 400);
    assert.match(second.res.body, /Accounts ending othercouncil\.gov\.uk cannot sign in with your Test Trust account/);
    assert.equal(await sessionsOf(here.id), 0);
  });

  test('a provider that admits any domain cannot sign in as someone already here, and one person has one account at each provider', async () => {
    const director = await createPerson(t.services, { email: 'director@council.example' }, 'admin');
    account({ email: 'Director@council.example' }, partners);
    const anyDomain = await signInWithProvider(undefined, '2');
    assert.equal(anyDomain.res.statusCode, 400);
    assert.match(anyDomain.res.body, /Someone here already uses Director@council\.example/);
    assert.equal(await sessionsOf(director.id), 0);

    const twin = await createPerson(t.services, { email: 'twin@testtrust.nhs.uk' }, 'staff');
    account({ email: 'twin@testtrust.nhs.uk' });
    assert.equal((await signInWithProvider()).res.statusCode, 303);
    // A second account at the same provider claiming the same address does not become them too.
    account({ email: 'twin@testtrust.nhs.uk' });
    const second = await signInWithProvider();
    assert.equal(second.res.statusCode, 400);
    assert.match(second.res.body, /Someone here already uses twin@testtrust\.nhs\.uk/);
    assert.equal(await sessionsOf(twin.id), 1);
  });

  test('the same first sign-in finished twice at once (two tabs) makes one person, both signed in', async () => {
    const a = account({ email: 'two.tabs@testtrust.nhs.uk' });
    const tabs = [new WebClient(t.app), new WebClient(t.app)];
    const callbacks: URL[] = [];
    for (const tab of tabs) {
      const start = await tab.get('/sign-in/oidc/1');
      callbacks.push(await throughProvider(String(start.headers.location)));
    }
    const answers = await Promise.all(tabs.map((tab, i) => tab.get(callbacks[i]!.pathname + callbacks[i]!.search)));
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [303, 303],
    );
    const people = await db.query('select id from people where lower(email) = $1', [a.email]);
    assert.equal(people.rows.length, 1);
    assert.equal(await sessionsOf(people.rows[0].id), 2);
  });

  test('someone switched off at the provider cannot sign in again; their session here keeps its own limits', async () => {
    const a = account();
    assert.equal((await signInWithProvider()).res.statusCode, 303);
    const person = (await t.services.people.findActiveByEmail(a.email))!;
    a.disabled = true;
    idp.signInAs(a.sub);
    const { res } = await signInWithProvider();
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /did not sign you in/);
    assert.equal(await sessionsOf(person.id), 1);
    const limits = await db.query(
      `select extract(epoch from expires_at - created_at)::int as seconds from web_sessions where person_id = $1`,
      [person.id],
    );
    assert.equal(limits.rows[0].seconds, t.config.session.absoluteHours * 3600, 'the absolute limit applies as to an email sign-in');
  });

  test('an erased person’s link to their organisation account goes with them', async () => {
    const a = account();
    await signInWithProvider();
    const person = (await t.services.people.findActiveByEmail(a.email))!;
    const exported = (await t.services.people.exportFor(person.id)) as { organisationAccounts?: { provider: string }[] };
    assert.deepEqual(
      exported.organisationAccounts?.map((o) => o.provider),
      [idp.issuer],
      'in their download',
    );
    const [asks, confirms] = await Promise.all([createPerson(t.services, {}, 'admin'), createPerson(t.services, {}, 'admin')]);
    await t.services.people.requestErasure({ personId: asks.id, role: 'admin' }, person.id);
    await t.services.people.confirmErasure({ personId: confirms.id, role: 'admin' }, person.id);
    assert.equal(Number((await db.query('select count(*) from person_identities where person_id = $1', [person.id])).rows[0].count), 0);
    // Signing in again later starts afresh: a new, empty account, nothing of the old one.
    idp.signInAs(a.sub);
    assert.equal((await signInWithProvider()).res.statusCode, 303);
    const fresh = (await t.services.people.findActiveByEmail(a.email))!;
    assert.notEqual(fresh.id, person.id);
    assert.equal(fresh.erasureRequestedAt, null);
  });
});

describe('a provider that cannot be reached', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      OIDC_ISSUER: 'http://127.0.0.1:9/',
      OIDC_CLIENT_ID: 'x',
      OIDC_CLIENT_SECRET: 'y',
      OIDC_DOMAINS: 'nhs.net',
      OIDC_NAME: 'NHSmail',
    });
  });
  after(async () => {
    await t.close();
  });

  test('says so plainly and offers to try again', async () => {
    const res = await new WebClient(t.app).get('/sign-in/oidc/1');
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /NHSmail cannot be reached just now/);
    assert.match(res.body, /Try again with NHSmail/);
    assert.equal((await new WebClient(t.app).get('/sign-in/oidc/2')).statusCode, 404, 'no second provider');
    assert.equal((await new WebClient(t.app).get('/sign-in/oidc/x')).statusCode, 404);
  });
});
