import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { freePort } from '../../../test/net.ts';
import { linkFrom, WebClient } from '../../../test/web-client.ts';
import { parseMessage } from './outbox.ts';

interface Received {
  to: string[];
  subject: string;
  body: string;
}

/** A real SMTP server on a fixed port that can be stopped and started again, as a mail server goes down and comes back. */
class MailServer {
  received: Received[] = [];
  private server: SMTPServer | null = null;
  constructor(readonly port: number) {}
  async start() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const message = parseMessage('m.eml', Buffer.concat(chunks).toString('utf8'));
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: message.subject, body: message.body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }
  async stop() {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
  to(address: string) {
    return this.received.filter((r) => r.to.includes(address));
  }
}

const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * The retry window is shortened through configuration (8 s instead of 24 h; first retry after
 * 0.2 s, at most 1 s apart), so an outage longer than the old schedule (five tries from 0.2 s,
 * about 6 s at this scale) fits in a test.
 */
describe('a mail server outage loses no email', { timeout: 180_000 }, () => {
  let t: TestApp;
  let db: pg.Client;
  let mail: MailServer;

  before(async () => {
    mail = new MailServer(await freePort());
    await mail.start();
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      EMAIL_RETRY_HOURS: String(8 / 3600),
      EMAIL_RETRY_FIRST_SECONDS: '0.2',
      EMAIL_RETRY_MAX_MINUTES: String(1 / 60),
    });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
    await mail.stop();
  });

  test('emails asked for while the server is down arrive once, after it comes back', async () => {
    const admin = await createPerson(t.services, { email: 'organiser@example.org' }, 'admin');
    const { session } = await createEventWithSession(t.services, { personId: admin.id, role: 'admin' });
    await mail.stop();
    const outageStarted = Date.now();
    const people = await Promise.all(['ana', 'ben', 'cai'].map((n) => createPerson(t.services, { email: `${n}@example.org`, name: n })));
    for (const p of people) await t.services.registrations.register(null, { sessionId: session.id, who: { personId: p.id } });
    await waitUntil(
      'several failed tries',
      async () => (await db.query(`select coalesce(max(attempts), 0)::int as n from outgoing_emails`)).rows[0].n >= 3,
    );
    await new Promise((r) => setTimeout(r, 6500 - (Date.now() - outageStarted)));
    await mail.start();
    const outage = Date.now() - outageStarted;
    await waitUntil('every confirmation', () => people.every((p) => mail.to(p.email!).length >= 1));
    await new Promise((r) => setTimeout(r, 1500));
    for (const p of people) {
      assert.equal(mail.to(p.email!).length, 1, `${p.email} got exactly one email`);
      assert.match(mail.to(p.email!)[0]!.subject, /You have a place/);
    }
    const tries = (await db.query(`select max(attempts)::int as n from outgoing_emails`)).rows[0].n;
    console.log(`mail server down ${outage} ms; ${people.length} confirmations delivered once each after up to ${tries} tries`);
  });

  test('an email still failing after the window is shown to admins with the reason, and can be sent again', async () => {
    await createPerson(t.services, { email: 'admin@example.org', name: 'Ada Admin' }, 'admin');
    // Signing in as a person does, with the link from the mail server.
    const adminClient = new WebClient(t.app);
    await adminClient.get('/sign-in');
    await adminClient.post('/sign-in', { email: 'admin@example.org' });
    await waitUntil('the sign-in email', () => mail.to('admin@example.org').length === 1);
    const link = new URL(linkFrom(mail.to('admin@example.org')[0]!.body));
    await adminClient.get(link.pathname + link.search);
    assert.equal((await adminClient.post('/sign-in/verify', { token: link.searchParams.get('token')! })).statusCode, 303);
    await mail.stop();
    const late = await createPerson(t.services, { email: 'late@example.org', name: 'Late Larry' });
    await t.services.auth.requestSignIn('late@example.org', '192.0.2.9');
    await waitUntil(
      'the email to be marked failed',
      async () => (await db.query(`select count(*)::int as n from outgoing_emails where status = 'failed'`)).rows[0].n === 1,
      30_000,
    );

    // The person who asked for the link is told on the page; staff see it on their home page.
    assert.match((await new WebClient(t.app).get('/sign-in/check-email')).body, /Email is slow just now/);
    assert.match((await adminClient.get('/')).body, /Emails are not getting through/);

    const page = await adminClient.get('/admin/emails');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /late@example\.org/);
    assert.match(page.body, /Failed/);
    assert.match(page.body, /ECONNREFUSED/);
    const id = (await db.query(`select id from outgoing_emails where status = 'failed'`)).rows[0].id;

    await mail.start();
    const sent = await adminClient.post(`/admin/emails/${id}/send`);
    assert.equal(sent.statusCode, 303);
    await waitUntil('the email sent again', () => mail.to('late@example.org').length === 1);
    assert.match(mail.to('late@example.org')[0]!.subject, /link to sign in/);
    // The row is marked sent just after the server takes the message: wait for that, not only the message.
    await waitUntil(
      'the email marked sent',
      async () => (await db.query('select status from outgoing_emails where id = $1', [id])).rows[0].status === 'sent',
    );
    assert.doesNotMatch((await adminClient.get('/admin/emails')).body, /late@example\.org/);
    assert.doesNotMatch((await new WebClient(t.app).get('/sign-in/check-email')).body, /Email is slow just now/);
    assert.doesNotMatch((await adminClient.get('/')).body, /Emails are not getting through/);
    // A second click has nothing left to send.
    assert.equal((await adminClient.post(`/admin/emails/${id}/send`)).statusCode, 404);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mail.to('late@example.org').length, 1);
    void late;
  });
});
