import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { startSmtpServer } from '../../../test/smtp.ts';
import { linkFrom, WebClient } from '../../../test/web-client.ts';

describe('email over real SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;

  before(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Coproduce <hello@coproduce.example>',
      MAIL_REPLY_TO: 'Events team <events-team@coproduce.example>',
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  test('a sign-in link is delivered by SMTP through the job queue, and the link works', async () => {
    await createPerson(t.services, { email: 'smtp-user@example.org', name: 'Smtp User' });
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    await client.post('/sign-in', { email: 'smtp-user@example.org' });
    const deadline = Date.now() + 15_000;
    while (!smtp.received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.deepEqual(mail.to, ['smtp-user@example.org']);
    assert.equal(mail.from, 'hello@coproduce.example');
    assert.match(mail.raw, /Subject: Your link to sign in to Coproduce/);
    // RFC 3834: no auto-responder should answer what we send; and the Message-ID is ours, recognisably.
    assert.match(mail.raw, /^Auto-Submitted: auto-generated\r?$/m);
    assert.match(mail.raw, /^Message-ID: <coproduce\.[0-9a-f]{24}@coproduce\.example>\r?$/im);
    // MAIL_REPLY_TO: "reply to this email" reaches the team, not the no-reply sender.
    assert.match(mail.raw, /^Reply-To: Events team <events-team@coproduce\.example>\r?$/im);
    const link = new URL(linkFrom(mail.body));
    await client.get(link.pathname + link.search);
    const done = await client.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    assert.equal(done.statusCode, 303);
    assert.equal((await client.get('/account')).statusCode, 200);
    assert.equal((await t.emailsTo('smtp-user@example.org')).length, 0, 'nothing went to the outbox');
  });
});

describe('outbox without SMTP', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ DEMO: 'true' });
  });
  after(async () => t.close());

  test('messages land in DATA_DIR/outbox as .eml files and admins can read them in demo mode', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    await client.post('/sign-in', { email: 'demo-participant@coproduce.example' });
    const mail = await t.waitForEmail('demo-participant@coproduce.example', { subject: /link to sign in/ });
    assert.match(mail.file, /\.eml$/);
    const raw = await fs.readFile(path.join(t.dataDir, 'outbox', mail.file), 'utf8');
    assert.match(raw.split(/\r?\n\r?\n/)[0]!, /^Auto-Submitted: auto-generated$/m, 'the outbox copy says so too');
    assert.match(mail.body, /sign-in\/verify\?token=/);

    // Sign in as the demo admin through the outbox itself.
    await client.post('/sign-in', { email: 'demo-admin@coproduce.example' });
    const adminMail = await t.waitForEmail('demo-admin@coproduce.example');
    const link = new URL(linkFrom(adminMail.body));
    await client.get(link.pathname + link.search);
    await client.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    const page = await client.get('/outbox');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /demo-participant@coproduce\.example/);
    const one = await client.get(`/outbox/${mail.file}`);
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /The link works once/);
    assert.equal((await client.get('/outbox/..%2F..%2Fsecrets.json')).statusCode, 404);
  });
});
