import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { attachmentOnlyEmail, imapServerAvailable, rawEmail, startImapServer, type ImapServer } from '../../../test/imap-server.ts';
import { apiCaller, WebClient } from '../../../test/web-client.ts';
import type { EmailRequest } from '../email/email-requests.ts';
import type { IncomingEmail } from './mailbox.ts';
import { createStoryMailIntake, MAX_REPLIES_PER_DAY } from './story-mail-intake.ts';

// Stories emailed in, read from a real dovecot (apt-get install dovecot-imapd). Without it these
// tests are skipped, and say so; with REQUIRE_IMAP=1 (as in CI) a missing dovecot fails the run.
const available = imapServerAvailable();
const required = process.env.REQUIRE_IMAP === '1';
if (!available && !required)
  console.warn(
    "\n*** dovecot was not found: the stories-by-email tests are SKIPPED. Install it with 'apt-get install dovecot-imapd'. ***\n",
  );

test('dovecot is installed when REQUIRE_IMAP=1', { skip: !required && 'REQUIRE_IMAP is not set' }, () => {
  assert.ok(available, 'REQUIRE_IMAP=1 but dovecot was not found: apt-get install dovecot-imapd');
});

const plain = (from: string, subject: string, id: string, text: string) =>
  rawEmail({ From: from, Subject: subject, 'Message-ID': id, 'Content-Type': 'text/plain; charset=utf-8' }, text);
const incoming = (over: Partial<IncomingEmail>): IncomingEmail => ({
  messageId: '<x@example.org>',
  fromEmail: 'someone@example.org',
  fromName: null,
  subject: 'A story',
  text: 'The surgery and the council shared a worker.',
  attachments: 0,
  receivedAt: new Date(),
  autoSubmitted: false,
  ...over,
});
const linkIn = (text: string) => new URL(/https?:\/\/\S+\/stories\/[0-9a-f-]+\/consent\?token=[A-Za-z0-9_-]+/.exec(text)![0]);

describe('stories by email (real dovecot)', { skip: !available && 'dovecot is not installed' }, () => {
  let server: ImapServer;
  let t: TestApp;
  let db: pg.Client;
  let token: string;
  const api = apiCaller(
    () => t.app,
    () => token,
  );
  const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];
  const count = async (sql: string, params: unknown[] = []) => Number((await one(sql, params)).n);

  before(async () => {
    server = await startImapServer();
    // The app reads the mailbox itself once, soon after it starts; the tests ask for each read.
    t = await startTestApp({ IMAP_URL: server.url, IMAP_POLL_SECONDS: '3600' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    ({ token } = await createAdminWithToken(t.services));
  });
  after(async () => {
    await db?.end();
    await t?.close();
    await server?.stop();
  });

  test('an emailed story waits for its author’s consent: publishing before it is refused, after it (through the link) it publishes', async () => {
    await server.deliver(
      plain(
        'Writer Person <writer@example.org>',
        'The hospital and the care home',
        '<story-1@example.org>',
        'The ward and the care home talked every day, so Mum came home on time.\n\n-- \nWriter\n07700 900321',
      ),
    );
    const read = await t.services.stories.readMailbox();
    assert.equal(read.failed, 0);
    assert.equal(await server.unseen(), 0, 'taken in, so marked seen');
    const s = await one(`select * from stories where message_id = '<story-1@example.org>'`);
    assert.ok(s, 'the email became a story');
    assert.deepEqual(
      {
        status: s.status,
        source: s.source,
        title: s.title,
        body: s.body,
        email: s.author_email,
        name: s.author_name,
        consent: [s.consent_publish, s.consent_show_name, s.consent_quote, s.consent_at],
      },
      {
        status: 'submitted',
        source: 'email',
        title: 'The hospital and the care home',
        body: 'The ward and the care home talked every day, so Mum came home on time.',
        email: 'writer@example.org',
        name: 'Writer Person',
        consent: [false, false, false, null],
      },
    );
    const asked = await t.waitForEmail('writer@example.org', { subject: /may we share it/ });
    assert.match(asked.body, /May we publish it on our website\?/);
    assert.match(asked.body, /with your name or without it/);

    const early = await api('POST', `/api/v1/stories/${s.id}/moderation`, { decision: 'publish' });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().detail, /has not answered the consent questions yet/);
    assert.equal((await one('select status from stories where id = $1', [s.id])).status, 'submitted');

    const link = linkIn(asked.body);
    const author = new WebClient(t.app);
    const page = await author.get(link.pathname + link.search);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('We need your answers before we can share your story'));
    const answered = await author.post(`/stories/${s.id}/consent`, {
      token: link.searchParams.get('token')!,
      publish: 'yes',
      showName: 'no',
      quote: 'yes',
    });
    assert.equal(answered.statusCode, 303);
    const after = await one('select consent_publish, consent_show_name, consent_quote, consent_at from stories where id = $1', [s.id]);
    assert.deepEqual([after.consent_publish, after.consent_show_name, after.consent_quote], [true, false, true]);
    assert.ok(after.consent_at);

    const published = await api('POST', `/api/v1/stories/${s.id}/moderation`, { decision: 'publish' });
    assert.equal(published.statusCode, 200, published.body);
    const item = (await api('GET', '/api/v1/stories', undefined, null)).json().items.find((i: { id: string }) => i.id === s.id);
    assert.equal(item.authorName, null, 'they chose not to show their name');
  });

  test('an email with only an attachment makes no story and gets a plain reply, once however often it is read', async () => {
    const raw = attachmentOnlyEmail({ From: 'attacher@example.org', Subject: 'My letter', 'Message-ID': '<attached-1@example.org>' });
    // Every story there is, in the moderation queue's "all" list.
    const stories = async () => (await t.services.stories.queue()).stories.length;
    const before = await stories();
    // Delivered twice, as a mail server retrying would: the same Message-ID.
    await server.deliver(raw);
    await server.deliver(raw);
    await t.services.stories.readMailbox();
    await t.services.stories.readMailbox();
    assert.equal(await stories(), before, 'no story');
    const reply = await t.waitForEmail('attacher@example.org', { subject: /could not find your story/ });
    assert.match(reply.body, /write your story in the email itself/);
    assert.match(reply.body, /\/stories\/new/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await t.emailsTo('attacher@example.org')).length, 1, 'one reply');
    assert.equal(await count(`select count(*) as n from story_mail_replies where message_id = '<attached-1@example.org>'`), 1);
  });

  test('an out-of-office reply makes no story and gets no reply, even one with no text; it is marked seen', async () => {
    // As Exchange sends it: the RFC 3834 header, and a subject the fallback would not catch.
    await server.deliver(
      rawEmail(
        {
          From: 'Away Person <away@example.org>',
          Subject: 'Re: Your story: may we share it?',
          'Message-ID': '<away-1@example.org>',
          'Auto-Submitted': 'auto-replied',
          'Content-Type': 'text/plain; charset=utf-8',
        },
        'I am out of the office until Monday 8 December. For anything urgent, ring 07700 900555.',
      ),
    );
    // An older responder: only Precedence, and nothing but an attachment, which would otherwise be answered.
    await server.deliver(
      rawEmail(
        {
          From: 'away@example.org',
          Subject: 'Away',
          'Message-ID': '<away-2@example.org>',
          Precedence: 'auto_reply',
          'Content-Type': 'multipart/mixed; boundary="b2"',
        },
        [
          '--b2',
          'Content-Type: text/calendar; name="away.ics"',
          'Content-Disposition: attachment',
          '',
          'BEGIN:VCALENDAR',
          '--b2--',
          '',
        ].join('\n'),
      ),
    );
    const read = await t.services.stories.readMailbox();
    assert.deepEqual(read, { read: 2, failed: 0, skipped: 0 });
    assert.equal(await server.unseen(), 0, 'marked seen, so not read again');
    assert.equal(await count(`select count(*) as n from stories where author_email = 'away@example.org'`), 0, 'no story');
    assert.equal(await count(`select count(*) as n from story_mail_replies where from_email = 'away@example.org'`), 0, 'nothing kept');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await t.emailsTo('away@example.org')).length, 0, 'no reply');
  });

  test('reading the mailbox twice, or the same email twice, stores one story and asks once', async () => {
    const raw = plain('twice@example.org', 'Twice', '<twice-1@example.org>', 'The pharmacy and the GP shared a list of who needed help.');
    await server.deliver(raw);
    await server.deliver(raw);
    await Promise.all([t.services.stories.readMailbox(), t.services.stories.readMailbox()]);
    assert.equal(await count(`select count(*) as n from stories where message_id = '<twice-1@example.org>'`), 1);
    await t.waitForEmail('twice@example.org', { subject: /may we share it/ });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await t.emailsTo('twice@example.org')).length, 1);
  });

  test('a Message-ID of 8,004 characters is stored as its sha256, in stories and story_mail_replies alike, and read once', async () => {
    const longId = (c: string) => `<${c.repeat(7_990)}@example.org>`;
    assert.equal(longId('a').length, 8_004);
    const story = plain('long-id@example.org', 'Long id', longId('a'), 'The district nurse came every morning.');
    await server.deliver(story);
    await server.deliver(story);
    const empty = rawEmail({ From: 'long-id-empty@example.org', Subject: 'Empty', 'Message-ID': longId('b') }, '');
    await server.deliver(empty);
    const read = await t.services.stories.readMailbox();
    assert.deepEqual(read, { read: 3, failed: 0, skipped: 0 }, 'taken in, not failed (and retried) for ever');
    assert.equal(await server.unseen(), 0);
    const rows = (await db.query(`select message_id from stories where author_email = 'long-id@example.org'`)).rows;
    assert.equal(rows.length, 1, 'one story for the same email twice');
    assert.match(rows[0].message_id, /^sha256:[0-9a-f]{64}$/);
    const reply = await one(`select message_id from story_mail_replies where from_email = 'long-id-empty@example.org'`);
    assert.match(reply.message_id, /^sha256:[0-9a-f]{64}$/);
    // The same digest whichever way it comes in.
    const direct = await t.services.stories.receiveEmail(incoming({ messageId: longId('a'), fromEmail: 'long-id@example.org' }));
    assert.deepEqual(direct, {
      storyId: (await one(`select id from stories where author_email = 'long-id@example.org'`)).id,
      created: false,
    });
  });

  test('bounces, list mail, auto-replies in other languages and replies to our own emails: no story, no reply, marked seen', async () => {
    // A consent request we sent, to reply to: its Message-ID is ours, and it says it is automatic.
    await server.deliver(plain('replier@example.org', 'Please ask me', '<replier-1@example.org>', 'The hospice helped us at home.'));
    await t.services.stories.readMailbox();
    const asked = await t.waitForEmail('replier@example.org', { subject: /may we share it/ });
    const sent = await fs.readFile(path.join(t.dataDir, 'outbox', asked.file), 'utf8');
    const head = sent.split(/\r?\n\r?\n/)[0]!;
    assert.match(head, /^Auto-Submitted: auto-generated$/m, 'RFC 3834: auto-responders should not answer it');
    const ourId = /^Message-ID: (<[^>]+>)$/im.exec(head)![1]!;

    const automatic = [
      rawEmail(
        {
          From: 'Mail Delivery System <MAILER-DAEMON@mx.example.org>',
          Subject: 'Undelivered Mail Returned to Sender',
          'Message-ID': '<bounce-1@example.org>',
          'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r1"',
        },
        ['--r1', 'Content-Type: text/plain', '', 'This is the mail system. Your message could not be delivered.', '--r1--', ''].join('\n'),
      ),
      rawEmail(
        {
          From: 'news@lists.example.org',
          Subject: 'Carers news',
          'Message-ID': '<list-1@example.org>',
          'List-Id': '<carers.lists.example.org>',
        },
        'This month at the carers centre: a new group.',
      ),
      rawEmail(
        {
          From: 'offers@example.org',
          Subject: 'Our offers',
          'Message-ID': '<list-2@example.org>',
          'List-Unsubscribe': '<mailto:u@example.org>',
        },
        'Half price this week only.',
      ),
      plain('weg@example.de', 'Automatische Antwort: Your story', '<auto-de@example.org>', 'Ich bin bis Montag nicht im Büro.'),
      plain('absent@example.fr', '=?UTF-8?Q?R=C3=A9ponse_automatique_:_Your_story?=', '<auto-fr@example.org>', 'Je suis absent.'),
      plain('fuera@example.es', '=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Your_story?=', '<auto-es@example.org>', 'Estoy fuera.'),
      rawEmail(
        {
          From: 'replier@example.org',
          Subject: 'Re: Your story: may we share it?',
          'Message-ID': '<replier-2@example.org>',
          'In-Reply-To': ourId,
          References: ourId,
          'Content-Type': 'text/plain',
        },
        'Thank you! I am away, but yes.',
      ),
    ];
    for (const raw of automatic) await server.deliver(raw);
    const read = await t.services.stories.readMailbox();
    assert.deepEqual(read, { read: automatic.length, failed: 0, skipped: 0 });
    assert.equal(await server.unseen(), 0, 'all marked seen');
    const ids = [
      '<bounce-1@example.org>',
      '<list-1@example.org>',
      '<list-2@example.org>',
      '<auto-de@example.org>',
      '<auto-fr@example.org>',
    ];
    ids.push('<auto-es@example.org>', '<replier-2@example.org>');
    assert.equal(await count(`select count(*) as n from stories where message_id = any($1)`, [ids]), 0, 'no story');
    assert.equal(await count(`select count(*) as n from story_mail_replies where message_id = any($1)`, [ids]), 0);
    await new Promise((r) => setTimeout(r, 500));
    for (const to of ['mailer-daemon@mx.example.org', 'news@lists.example.org', 'offers@example.org', 'weg@example.de']) {
      assert.equal((await t.emailsTo(to)).length, 0, `no reply to ${to}`);
    }
    for (const to of ['absent@example.fr', 'fuera@example.es']) assert.equal((await t.emailsTo(to)).length, 0, `no reply to ${to}`);
    assert.equal((await t.emailsTo('replier@example.org')).length, 1, 'only the consent request: the reply to it is not answered');
  });

  test(`at most ${MAX_REPLIES_PER_DAY} replies to one address a day, stories and "no story" answers together; the rest stored, not answered`, async () => {
    const from = 'Busy Person <busy@example.org>';
    for (let i = 1; i <= 4; i++)
      await server.deliver(plain(from, `Story ${i}`, `<busy-${i}@example.org>`, `Story number ${i} about the ward.`));
    await server.deliver(rawEmail({ From: from, Subject: 'Attached', 'Message-ID': '<busy-5@example.org>' }, ''));
    const read = await t.services.stories.readMailbox();
    assert.deepEqual(read, { read: 5, failed: 0, skipped: 0 });
    assert.equal(await count(`select count(*) as n from stories where author_email = 'busy@example.org'`), 4, 'every story is stored');
    assert.equal(await count(`select count(*) as n from story_mail_replies where from_email = 'busy@example.org'`), 1);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await t.emailsTo('busy@example.org')).length, MAX_REPLIES_PER_DAY, 'three replies, not five');
    // Another address is not held back.
    await server.deliver(plain('calm@example.org', 'Calm', '<calm-1@example.org>', 'The volunteers drove me to the clinic.'));
    await t.services.stories.readMailbox();
    await t.waitForEmail('calm@example.org', { subject: /may we share it/ });
  });

  test('a reply echoes a short form of the name and the subject, and no name that looks like a link', async () => {
    const longName = 'Pat ' + 'Verylongname '.repeat(20);
    const longSubject = 'About my mother ' + 'and the ward '.repeat(20);
    await server.deliver(
      plain(`"${longName.trim()}" <echo@example.org>`, longSubject.trim(), '<echo-1@example.org>', 'Mum was cared for.'),
    );
    await server.deliver(plain('"Win a prize at www.spam.example" <linky@example.org>', 'Prize', '<linky-1@example.org>', ''));
    await t.services.stories.readMailbox();
    const asked = await t.waitForEmail('echo@example.org', { subject: /may we share it/ });
    const hello = /^Hello (.*),$/m.exec(asked.body)![1]!;
    assert.ok(hello.length <= 80 && hello.startsWith('Pat Verylongname'), hello);
    const title = asked.subject.replace(/^Your story: may we share it\? /, '');
    assert.ok(title.length <= 80 && title.startsWith('About my mother'), title);
    const answer = await t.waitForEmail('linky@example.org', { subject: /could not find your story/ });
    assert.match(answer.body, /^Hello,$/m, 'no name echoed');
    assert.doesNotMatch(answer.body, /spam\.example/);
  });

  test('a consent request that could not be queued is queued when the email is read again', async () => {
    const requests: EmailRequest[] = [];
    let queueWorks = false;
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const intake = createStoryMailIntake({
      db: t.runtime.database.db,
      stories: t.services.repositories.stories,
      audit: t.services.audit,
      jobs: {
        async sendEmail(request) {
          if (!queueWorks) throw new Error('the queue is down');
          requests.push(request);
        },
      },
      imapUrl: undefined,
      log,
    });
    const m = incoming({ messageId: '<owed-1@example.org>', fromEmail: 'owed@example.org' });
    await assert.rejects(intake.receiveEmail(m), /the queue is down/);
    const stored = await one(`select id, consent_at from stories where message_id = '<owed-1@example.org>'`);
    assert.ok(stored, 'the story is stored');
    queueWorks = true;
    assert.deepEqual(await intake.receiveEmail(m), { storyId: stored.id, created: false });
    assert.deepEqual(requests, [{ kind: 'story-consent-request', ref: { storyId: stored.id } }], 'asked, on the read after');
    await intake.receiveEmail(m);
    assert.equal(requests.length, 1, 'and only once');
  });

  test('watchMailbox reads without being asked, one read at a time, and stops cleanly', async () => {
    const stop = t.services.stories.watchMailbox(1, { firstAfterMs: 50 });
    try {
      await server.deliver(
        plain('watched@example.org', 'Watched', '<watched-1@example.org>', 'The library lent tablets to the care home.'),
      );
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await count(`select count(*) as n from stories where message_id = '<watched-1@example.org>'`)))
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await count(`select count(*) as n from stories where message_id = '<watched-1@example.org>'`), 1);
    } finally {
      await stop();
    }
    // Stopped: a new email waits in the mailbox.
    await server.deliver(plain('later@example.org', 'Later', '<later-1@example.org>', 'Sent after the watcher stopped.'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await count(`select count(*) as n from stories where message_id = '<later-1@example.org>'`), 0);
    assert.equal(await server.unseen(), 1);
  });
});
