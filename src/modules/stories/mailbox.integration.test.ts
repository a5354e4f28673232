import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attachmentOnlyEmail, imapServerAvailable, rawEmail, startImapServer, type ImapServer } from '../../../test/imap-server.ts';
import { sentHeaders } from '../email/mailer.ts';
import {
  createMailboxReader,
  MAX_FAILED_READS,
  MAX_MESSAGE_BYTES,
  parseMailboxUrl,
  storyText,
  toIncomingEmail,
  type IncomingEmail,
} from './mailbox.ts';

// A real dovecot (apt-get install dovecot-imapd). Without it these tests are skipped, and say so;
// with REQUIRE_IMAP=1 (as in CI) a missing dovecot fails the run.
const available = imapServerAvailable();
const required = process.env.REQUIRE_IMAP === '1';
if (!available && !required) {
  console.warn("\n*** dovecot was not found: the mailbox tests are SKIPPED. Install it with 'apt-get install dovecot-imapd'. ***\n");
}

test('dovecot is installed when REQUIRE_IMAP=1', { skip: !required && 'REQUIRE_IMAP is not set' }, () => {
  assert.ok(available, 'REQUIRE_IMAP=1 but dovecot was not found: apt-get install dovecot-imapd');
});

const PLAIN = rawEmail(
  { From: 'alex@example.org', Subject: 'My dad', 'Message-ID': '<plain-1@example.org>', 'Content-Type': 'text/plain; charset=utf-8' },
  [
    "My story is about my dad's care on Ward 4.",
    '',
    'He was treated with dignity.',
    '',
    'On Mon, 1 Dec 2025 at 09:00, Coproduce <stories@coproduce.test>',
    'wrote:',
    '> Please send us your story.',
    '> Thank you',
    '',
    '-- ',
    'Alex',
    '07700 900123',
  ].join('\n'),
);
const HTML_ONLY = rawEmail(
  { From: 'jo@example.org', Subject: 'Waiting', 'Message-ID': '<html-1@example.org>', 'Content-Type': 'text/html; charset=utf-8' },
  '<html><body><p>I waited <b>six hours</b> in A&amp;E.</p><p>The nurse was kind.</p></body></html>',
);
const NAMED = rawEmail(
  {
    From: '=?UTF-8?Q?Si=C3=A2n_Jones?= <Sian.Jones@Example.ORG>',
    Subject: '=?UTF-8?Q?Caf=C3=A9_mornings?=',
    'Message-ID': '<named-1@example.org>',
    'Content-Type': 'text/plain; charset=utf-8',
  },
  'The carers’ café mornings kept me going.',
);
const ATTACHMENT_ONLY = attachmentOnlyEmail({ From: 'sam@example.org', Subject: 'My letter', 'Message-ID': '<attached-1@example.org>' });
const NO_BODY = rawEmail({ From: 'kim@example.org', Subject: 'Empty', 'Message-ID': '<empty-1@example.org>' }, '');

function recordingLog() {
  const lines: unknown[] = [];
  const record = (...args: unknown[]) => void lines.push(args);
  return { lines, log: { info: record, warn: record, error: record } as never };
}

describe('reading stories from a mailbox (real dovecot)', { skip: !available && 'dovecot is not installed' }, () => {
  let server: ImapServer;
  before(async () => {
    server = await startImapServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('reads each unseen email once, as text, and marks it seen only after it was taken in', async () => {
    for (const raw of [PLAIN, HTML_ONLY, NAMED, ATTACHMENT_ONLY, NO_BODY]) await server.deliver(raw);
    assert.equal(await server.unseen(), 5);
    const { log, lines } = recordingLog();
    const reader = createMailboxReader({ url: server.url, log });
    const got: IncomingEmail[] = [];
    const started = Date.now();
    assert.deepEqual(await reader.readNew(async (m) => void got.push(m)), { read: 5, failed: 0, skipped: 0 });
    const byId = new Map(got.map((m) => [m.messageId, m]));
    assert.equal(byId.size, 5, 'handle called once for each email');

    const plain = byId.get('<plain-1@example.org>')!;
    assert.equal(plain.text, "My story is about my dad's care on Ward 4.\n\nHe was treated with dignity.", 'no quote, no signature');
    assert.deepEqual(
      { fromEmail: plain.fromEmail, fromName: plain.fromName, subject: plain.subject, attachments: plain.attachments },
      { fromEmail: 'alex@example.org', fromName: null, subject: 'My dad', attachments: 0 },
    );
    assert.ok(Math.abs(plain.receivedAt.getTime() - started) < 60_000, 'received when the server took it in');

    assert.equal(byId.get('<html-1@example.org>')!.text, 'I waited six hours in A&E.\n\nThe nurse was kind.');

    const named = byId.get('<named-1@example.org>')!;
    assert.deepEqual(
      { fromEmail: named.fromEmail, fromName: named.fromName, subject: named.subject },
      { fromEmail: 'sian.jones@example.org', fromName: 'Siân Jones', subject: 'Café mornings' },
    );

    const attached = byId.get('<attached-1@example.org>')!;
    assert.deepEqual({ text: attached.text, attachments: attached.attachments }, { text: '', attachments: 1 });
    const empty = byId.get('<empty-1@example.org>')!;
    assert.deepEqual(
      { text: empty.text, attachments: empty.attachments, subject: empty.subject },
      { text: '', attachments: 0, subject: 'Empty' },
    );

    assert.equal(await server.unseen(), 0);
    assert.deepEqual(await reader.readNew(async () => assert.fail('nothing is left to read')), { read: 0, failed: 0, skipped: 0 });
    assert.doesNotMatch(JSON.stringify(lines), /@|dignity|nurse/, 'no addresses or words of a story in the log');
  });

  test('an email whose handling fails stays unseen, keeps its id, and is read again next time', async () => {
    // No Message-ID: the id is made from the message itself, so the retry is recognisable.
    const noId = rawEmail(
      { From: 'lee@example.org', Subject: 'Fails once', 'Content-Type': 'text/plain' },
      'The discharge letter came late.',
    );
    const fine = rawEmail({ From: 'ash@example.org', Subject: 'Fine', 'Message-ID': '<fine-1@example.org>' }, 'The physio was brilliant.');
    await server.deliver(noId);
    await server.deliver(fine);
    const { log, lines } = recordingLog();
    const reader = createMailboxReader({ url: server.url, log });

    const seen: string[] = [];
    const first = await reader.readNew(async (m) => {
      seen.push(m.subject);
      if (m.subject === 'Fails once') throw new Error(`database unavailable while saving a story from ${m.fromEmail}`);
    });
    assert.deepEqual(first, { read: 1, failed: 1, skipped: 0 });
    assert.deepEqual(seen.sort(), ['Fails once', 'Fine']);
    assert.equal(await server.unseen(), 1);
    const logged = JSON.stringify(lines);
    assert.match(logged, /database unavailable/, 'the failure is logged');
    assert.doesNotMatch(logged, /lee@example\.org|discharge/, 'without the address or the story');

    const ids: string[] = [];
    const again = await reader.readNew(async (m) => void ids.push(m.messageId));
    assert.deepEqual(again, { read: 1, failed: 0, skipped: 0 });
    assert.equal(ids.length, 1);
    assert.match(ids[0]!, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await server.unseen(), 0);
  });

  test('mail a machine sent is marked automatic: Auto-Submitted, Precedence, X-Autoreply; a person’s mail is not', async () => {
    const away = (id: string, headers: Record<string, string>) =>
      rawEmail(
        {
          From: 'away@example.org',
          Subject: 'Re: Your story',
          'Message-ID': `<${id}@example.org>`,
          'Content-Type': 'text/plain',
          ...headers,
        },
        'I am out of the office until Monday.',
      );
    const raws = [
      // Outlook and Exchange: an "Automatic reply" with the RFC 3834 header.
      away('auto-replied', { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }),
      away('auto-generated', { 'Auto-Submitted': 'Auto-Generated; owner-email="postmaster@example.org"' }),
      away('precedence-bulk', { Precedence: 'bulk' }),
      away('precedence-auto-reply', { Precedence: 'auto_reply' }),
      away('x-autoreply', { 'X-Autoreply': 'yes' }),
      away('x-autorespond', { 'X-Autorespond': 'Out of office' }),
      // Marked as sent by a person, or with a Precedence that says nothing about machines.
      away('submitted-no', { 'Auto-Submitted': 'no' }),
      away('precedence-first-class', { Precedence: 'first-class' }),
      PLAIN,
    ];
    for (const raw of raws) await server.deliver(raw);
    const got: IncomingEmail[] = [];
    const reader = createMailboxReader({ url: server.url, log: recordingLog().log });
    assert.deepEqual(await reader.readNew(async (m) => void got.push(m)), { read: raws.length, failed: 0, skipped: 0 });
    const automatic = Object.fromEntries(got.map((m) => [m.messageId.replace(/^<|@.*$/g, ''), m.autoSubmitted]));
    assert.deepEqual(automatic, {
      'auto-replied': true,
      'auto-generated': true,
      'precedence-bulk': true,
      'precedence-auto-reply': true,
      'x-autoreply': true,
      'x-autorespond': true,
      'submitted-no': false,
      'precedence-first-class': false,
      'plain-1': false,
    });
    assert.equal(await server.unseen(), 0, 'all read, automatic or not: what to do with them is the intake’s choice');
  });

  test('a message over MAX_MESSAGE_BYTES is not downloaded: marked seen, not handled, logged', async () => {
    const big = rawEmail(
      { From: 'big@example.org', Subject: 'Photos', 'Message-ID': '<big-1@example.org>', 'Content-Type': 'text/plain' },
      'x'.repeat(MAX_MESSAGE_BYTES + 1000),
    );
    await server.deliver(big);
    await server.deliver(rawEmail({ From: 'small@example.org', Subject: 'Small', 'Message-ID': '<small-1@example.org>' }, 'Kind staff.'));
    const { log, lines } = recordingLog();
    const got: string[] = [];
    const result = await createMailboxReader({ url: server.url, log }).readNew(async (m) => void got.push(m.messageId));
    assert.deepEqual(result, { read: 1, failed: 0, skipped: 1 });
    assert.deepEqual(got, ['<small-1@example.org>'], 'the large one never reached the intake');
    assert.equal(await server.unseen(), 0, 'both marked seen');
    assert.match(JSON.stringify(lines), /too large/);
  });

  test(`a message that fails ${MAX_FAILED_READS} reads is marked seen and logged; a failure that is not its fault does not count`, async () => {
    await server.deliver(rawEmail({ From: 'bad@example.org', Subject: 'Bad', 'Message-ID': '<bad-1@example.org>' }, 'Always fails.'));
    const { log, lines } = recordingLog();
    const outage = Object.assign(new Error('connection refused'), { transient: true });
    const reader = createMailboxReader({ url: server.url, log, isTransient: (err) => (err as { transient?: boolean }).transient === true });
    // The database is down: the read stops, and the failure counts against no message.
    for (let i = 0; i < MAX_FAILED_READS + 1; i++) {
      assert.deepEqual(
        await reader.readNew(async () => {
          throw outage;
        }),
        { read: 0, failed: 1, skipped: 0 },
      );
    }
    assert.equal(await server.unseen(), 1, 'still waiting after an outage, however long');
    const results = [];
    for (let i = 0; i < MAX_FAILED_READS; i++)
      results.push(
        await reader.readNew(async () => {
          throw new Error('duplicate key value violates unique constraint');
        }),
      );
    assert.deepEqual(results, [
      { read: 0, failed: 1, skipped: 0 },
      { read: 0, failed: 1, skipped: 0 },
      { read: 0, failed: 1, skipped: 1 },
    ]);
    assert.equal(await server.unseen(), 0, 'given up: marked seen, left in the mailbox');
    assert.deepEqual(await reader.readNew(async () => assert.fail('not read again')), { read: 0, failed: 0, skipped: 0 });
    assert.match(JSON.stringify(lines), /3 times; marked seen/);
  });

  // Last: after a failed sign-in dovecot makes the next one from the same address wait seconds.
  test('a wrong password fails the whole read, and nothing is handled', async () => {
    await server.deliver(rawEmail({ From: 'max@example.org', Subject: 'Later' }, 'Kept for the next read.'));
    const url = server.url.replace(`:${server.password}@`, ':wrong@');
    await assert.rejects(
      createMailboxReader({ url, log: recordingLog().log }).readNew(async () => assert.fail('not signed in')),
      (err: { authenticationFailed?: boolean }) => err.authenticationFailed === true,
    );
  });
});

test('IMAP_URL names the server, the account (percent-encoded) and the mailbox', () => {
  assert.deepEqual(parseMailboxUrl('imaps://stories%40trust.nhs.uk:p%40ss%2Fw@mail.example.org/Stories%20in'), {
    host: 'mail.example.org',
    port: 993,
    secure: true,
    user: 'stories@trust.nhs.uk',
    pass: 'p@ss/w',
    mailbox: 'Stories in',
  });
  assert.deepEqual(parseMailboxUrl('imap://u:p@127.0.0.1:1143'), {
    host: '127.0.0.1',
    port: 1143,
    secure: false,
    user: 'u',
    pass: 'p',
    mailbox: 'INBOX',
  });
  assert.throws(() => parseMailboxUrl('pop3://u:p@host'), /imap:\/\/ or imaps:\/\//);
});

test('automatic mail: header names and values in any case, comments and parameters ignored, an empty X-Autorespond counts', async () => {
  const auto = async (headers: string) =>
    (await toIncomingEmail(Buffer.from(`From: a@example.org\r\nSubject: Hi\r\n${headers}\r\n\r\nText\r\n`))).autoSubmitted;
  assert.equal(await auto('AUTO-SUBMITTED: Auto-Replied (vacation)'), true);
  assert.equal(await auto('Auto-Submitted: No (a person wrote this)'), false);
  assert.equal(await auto('Auto-Submitted:\r\n auto-notified'), true, 'a folded header');
  assert.equal(await auto('precedence: JUNK'), true);
  assert.equal(await auto('Precedence: list'), true);
  assert.equal(await auto('X-Autorespond:'), true);
  assert.equal(await auto('X-Mailer: Autoreply 2.0'), false);
  assert.equal(await auto(''), false);
});

test('story text keeps what the person wrote and drops what they replied to', () => {
  assert.equal(storyText('Thanks.\r\n\r\n-----Original Message-----\r\nFrom: us\r\n'), 'Thanks.');
  assert.equal(storyText('First.\n> quoted\nSecond.\n\n\n\nThird.'), 'First.\nSecond.\n\nThird.');
  assert.equal(storyText('On the ward I felt heard.'), 'On the ward I felt heard.');
  assert.equal(storyText('Hi\n\nOn Tue, Jo wrote:\n> x'), 'Hi');
});

test('a Message-ID longer than 500 characters is kept as its sha256, the same each time', async () => {
  const raw = (id: string) => Buffer.from(`From: a@example.org\r\nSubject: Hi\r\nMessage-ID: ${id}\r\n\r\nText\r\n`);
  const long = `<${'x'.repeat(8_000)}@example.org>`;
  const first = (await toIncomingEmail(raw(long))).messageId;
  assert.match(first, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await toIncomingEmail(raw(long))).messageId, first, 'the same id, the same digest');
  assert.notEqual((await toIncomingEmail(raw(long.replace('x', 'y')))).messageId, first);
  assert.equal((await toIncomingEmail(raw('<short@example.org>'))).messageId, '<short@example.org>');
});

test('bounces and mailing-list mail are automatic too', async () => {
  const auto = async (headers: string, from = 'a@example.org') =>
    (await toIncomingEmail(Buffer.from(`From: ${from}\r\nSubject: Hi\r\n${headers}\r\n\r\nText\r\n`))).autoSubmitted;
  assert.equal(await auto('Content-Type: multipart/report; report-type=delivery-status; boundary="b"'), true, 'a delivery report');
  assert.equal(await auto('', 'Mail Delivery System <MAILER-DAEMON@mx.example.org>'), true);
  assert.equal(await auto('', 'postmaster@example.org'), true);
  assert.equal(await auto('', 'MAILER-DAEMON'), true);
  assert.equal(await auto('Return-Path: <>'), true, 'the empty envelope sender of a bounce');
  assert.equal(await auto('List-Id: Carers news <carers.lists.example.org>'), true);
  assert.equal(await auto('List-Unsubscribe: <mailto:leave@lists.example.org>'), true);
  assert.equal(await auto('', '"The Postmaster General fan club" <fan@example.org>'), false, 'a name is not an address');
  assert.equal(await auto('Content-Type: multipart/mixed; boundary="b"\r\nReturn-Path: <a@example.org>'), false);
});

test('a reply to an email we sent is recognised by our Message-ID, in In-Reply-To or References', async () => {
  const ours = sentHeaders('Coproduce <hello@coproduce.example>').messageId;
  assert.match(ours, /^<coproduce\.[0-9a-f]{24}@coproduce\.example>$/);
  const replies = async (headers: string) =>
    (await toIncomingEmail(Buffer.from(`From: a@example.org\r\nSubject: Re: Your story\r\n${headers}\r\n\r\nYes\r\n`))).repliesToUs;
  assert.equal(await replies(`In-Reply-To: ${ours}`), true);
  assert.equal(await replies(`References: <older@example.org> ${ours}`), true);
  assert.equal(await replies('In-Reply-To: <someone-else@example.org>'), false);
  assert.equal(await replies(''), false);
});
