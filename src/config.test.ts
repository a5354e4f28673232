import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  test('defaults give a working laptop set-up', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.demo, true);
    assert.equal(c.publicUrl, 'http://localhost:3000');
  });

  test('PORT, DATA_DIR and DEMO are honoured; empty means unset', () => {
    const c = loadConfig({ PORT: '8080', DATA_DIR: '/srv/coproduce', DEMO: 'false', SMTP_URL: '' });
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, '/srv/coproduce');
    assert.equal(c.demo, false);
    assert.equal(c.smtpUrl, undefined);
  });

  test('MAIL_REPLY_TO takes an address, with or without a name', () => {
    assert.equal(loadConfig({}).mailReplyTo, undefined);
    assert.equal(loadConfig({ MAIL_REPLY_TO: 'team@example.org' }).mailReplyTo, 'team@example.org');
    assert.equal(loadConfig({ MAIL_REPLY_TO: 'Events team <team@example.org>' }).mailReplyTo, 'Events team <team@example.org>');
  });

  test('a bad value stops start-up with a message naming it', () => {
    for (const [key, value] of [
      ['PORT', 'eighty'],
      ['DATABASE_URL', 'mysql://x'],
      ['DEMO', 'perhaps'],
      ['SESSION_SECRET', 'short'],
      ['SIGN_IN_LIMIT_PER_EMAIL', '0'],
      ['MAIL_REPLY_TO', 'the events team'],
      ['MAIL_REPLY_TO', 'Team <team@example.org>\r\nBcc: everyone@example.org'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [key]: value }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(key),
        key,
      );
    }
  });

  test('production refuses demo data, email nobody sends, and a plain-http address, naming what to set', () => {
    const live = {
      NODE_ENV: 'production',
      DEMO: 'false',
      SMTP_URL: 'smtp://mail.example.org',
      PUBLIC_URL: 'https://coproduce.example.org',
    };
    assert.equal(loadConfig(live).env, 'production');
    assert.equal(loadConfig({ ...live, SMTP_URL: '', EMAIL_TO_OUTBOX: 'true' }).smtpUrl, undefined, 'the outbox when asked for by name');
    for (const [change, names] of [
      [{ DEMO: 'true' }, /DEMO: .*set DEMO=false/],
      [{ DEMO: '' }, /DEMO:/],
      [{ SMTP_URL: '' }, /SMTP_URL: .*EMAIL_TO_OUTBOX=true/],
      [{ SMTP_URL: '', EMAIL_TO_OUTBOX: 'false' }, /SMTP_URL:/],
      [{ PUBLIC_URL: 'http://coproduce.example.org' }, /PUBLIC_URL: must be the https address/],
      [{ PUBLIC_URL: '' }, /PUBLIC_URL:/],
    ] as const) {
      assert.throws(
        () => loadConfig({ ...live, ...change }),
        (err: unknown) => err instanceof ConfigError && names.test(err.message),
        JSON.stringify(change),
      );
    }
    // Every refusal at once, so one restart is enough to mend them.
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (err: unknown) =>
        err instanceof ConfigError && /DEMO:/.test(err.message) && /SMTP_URL:/.test(err.message) && /PUBLIC_URL:/.test(err.message),
    );
    assert.equal(loadConfig({}).demo, true, 'outside production the defaults still give the demo');
  });

  test('identity providers: OIDC_* and OIDC_2_*, each checked, with roles from groups only when both halves are set', () => {
    const base = {
      OIDC_ISSUER: 'https://login.example.org/tenant/v2.0',
      OIDC_CLIENT_ID: 'id',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_DOMAINS: 'nhs.net, Leeds.gov.uk',
    };
    const [one] = loadConfig(base).oidc;
    assert.deepEqual(
      { id: one!.id, name: one!.name, domains: one!.domains, roles: one!.roleGroups },
      { id: '1', name: 'your organisation account', domains: ['nhs.net', 'leeds.gov.uk'], roles: undefined },
    );
    const two = loadConfig({
      ...base,
      OIDC_2_ISSUER: 'https://accounts.example.com',
      OIDC_2_CLIENT_ID: 'g',
      OIDC_2_CLIENT_SECRET: 's',
      OIDC_2_DOMAINS: '*',
      OIDC_2_NAME: 'Google',
      OIDC_2_GROUPS_CLAIM: 'groups',
      OIDC_2_ADMIN_GROUPS: 'it-admins,coproduce-admins',
    }).oidc;
    assert.deepEqual(two[1]!.roleGroups, {
      claim: 'groups',
      groups: { admin: ['it-admins', 'coproduce-admins'], staff: undefined, facilitator: undefined },
    });
    assert.deepEqual(loadConfig({}).oidc, []);
    for (const [change, names] of [
      [{ OIDC_ISSUER: 'http://login.example.org' }, /OIDC_ISSUER: must use https/],
      [{ OIDC_CLIENT_SECRET: '' }, /OIDC_CLIENT_SECRET: must be set/],
      [{ OIDC_DOMAINS: '' }, /OIDC_DOMAINS: must list the email domains/],
      [{ OIDC_DOMAINS: 'not a domain' }, /OIDC_DOMAINS:/],
      [{ OIDC_GROUPS_CLAIM: 'groups' }, /OIDC_GROUPS_CLAIM: set it together/],
      [{ OIDC_STAFF_GROUPS: 'staff' }, /OIDC_GROUPS_CLAIM: set it together/],
      [{ OIDC_3_CLIENT_ID: 'half a provider' }, /OIDC_3_ISSUER:/],
      [{ OIDC_ISSUER: 'https://login.microsoftonline.com/common/v2.0' }, /OIDC_ISSUER: must be your own tenant’s issuer/],
      [{ OIDC_ISSUER: 'https://login.microsoftonline.com/organizations/v2.0' }, /OIDC_ISSUER: must be your own tenant’s issuer/],
      [{ OIDC_EMAIL_VERIFIED_CLAIM: 'not a claim!' }, /OIDC_EMAIL_VERIFIED_CLAIM:/],
      [
        {
          OIDC_2_ISSUER: 'https://login.example.org/tenant/v2.0/',
          OIDC_2_CLIENT_ID: 'a',
          OIDC_2_CLIENT_SECRET: 'b',
          OIDC_2_DOMAINS: 'other.org',
        },
        /OIDC_2_ISSUER: the same provider is already set up as provider 1/,
      ],
      [
        { OIDC_2_ISSUER: 'https://accounts.example.com', OIDC_2_CLIENT_ID: 'a', OIDC_2_CLIENT_SECRET: 'b', OIDC_2_DOMAINS: 'leeds.gov.uk' },
        /OIDC_2_DOMAINS: leeds\.gov\.uk is already served by provider 1/,
      ],
    ] as const) {
      assert.throws(
        () => loadConfig({ ...base, ...change }),
        (err: unknown) => err instanceof ConfigError && names.test(err.message),
        JSON.stringify(change),
      );
    }
    assert.equal(loadConfig({ ...base, OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc.length, 1, 'plain http on this machine, for tests');
    assert.equal(loadConfig(base).oidc[0]!.emailVerifiedClaim, 'email_verified');
    assert.equal(
      loadConfig({ ...base, OIDC_EMAIL_VERIFIED_CLAIM: 'xms_edov' }).oidc[0]!.emailVerifiedClaim,
      'xms_edov',
      'Entra ID’s claim',
    );
  });

  test('metrics: a token of some length, a port', () => {
    assert.deepEqual(loadConfig({}).metrics, { token: undefined, port: undefined });
    assert.deepEqual(loadConfig({ METRICS_TOKEN: 'x'.repeat(24), METRICS_PORT: '9464' }).metrics, { token: 'x'.repeat(24), port: 9464 });
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
  });
});
