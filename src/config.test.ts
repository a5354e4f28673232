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
});
