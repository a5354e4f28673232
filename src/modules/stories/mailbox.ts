import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import type { Logger } from '../../logger.ts';
import { isOurMessageId } from '../email/mailer.ts';

/**
 * Messages larger than this (2 MB: a story is at most 20,000 characters; the rest would be
 * attachments, which we do not open) are not downloaded. They are marked seen and logged, with no
 * story and no reply: answering would need a reason and a wording story_mail_replies and
 * story-emails.ts do not have yet, and the message stays in the mailbox, seen, for staff to read.
 */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/**
 * A message that fails this many reads in a row (it cannot be parsed, or taking it in fails) is
 * marked seen and logged, so that one bad email cannot cost every read for ever. Counted in this
 * process only: a restart gives it three more tries, which is cheap. A failure that `isTransient`
 * says is not the message's fault (the database is down) does not count, and ends the read.
 */
export const MAX_FAILED_READS = 3;

/**
 * The longest Message-ID stored as it is. Longer ones (one of 8,000 characters is too big for a
 * btree index row, so its insert failed, and failed again at every read) are stored as
 * "sha256:" and the hex digest of the id: the same id gives the same digest, in stories.message_id
 * and story_mail_replies.message_id alike.
 */
export const LONGEST_MESSAGE_ID = 500;

export function storableMessageId(id: string): string {
  return id.length > LONGEST_MESSAGE_ID ? `sha256:${createHash('sha256').update(id).digest('hex')}` : id;
}

/** One story email as the stories module needs it: who sent it, what it says, nothing else. */
export interface IncomingEmail {
  messageId: string;
  fromEmail: string;
  fromName: string | null;
  subject: string;
  text: string;
  attachments: number;
  receivedAt: Date;
  /** Sent by a machine, not a person (an out-of-office reply, a bounce, a list): see isAutoSubmitted. */
  autoSubmitted: boolean;
  /** In-Reply-To or References names an email we sent (see isOurMessageId in email/mailer.ts). */
  repliesToUs?: boolean;
}

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

interface MailboxSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
}

/**
 * IMAP_URL: `imaps://user:password@host:993/Stories` (TLS from the start) or `imap://…:143/…`
 * (STARTTLS when the server offers it, otherwise plain text: meant for a server on the same machine
 * or a test). User and password are percent-encoded; the path names the mailbox, INBOX if empty.
 */
export function parseMailboxUrl(url: string): MailboxSettings {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('IMAP_URL must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  const mailbox = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX';
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
    mailbox,
  };
}

export interface ReadResult {
  /** Taken in and marked seen. */
  read: number;
  /** Failed this time: left unseen for the next read, unless it has now failed MAX_FAILED_READS times. */
  failed: number;
  /** Marked seen without being taken in: too large, or given up after MAX_FAILED_READS failures. */
  skipped: number;
}

export function createMailboxReader(opts: { url: string; log: Log; isTransient?: (err: unknown) => boolean }): {
  readNew(handle: (m: IncomingEmail) => Promise<void>): Promise<ReadResult>;
} {
  const settings = parseMailboxUrl(opts.url);
  const log = opts.log;
  // Failed reads per message ("uidvalidity:uid"), for as long as the message is unseen.
  const failures = new Map<string, number>();
  return {
    /**
     * Hands each unseen message to `handle`, one at a time, and marks it \Seen only once `handle` has
     * resolved: a message whose handling failed stays unseen and is tried again on the next read,
     * up to MAX_FAILED_READS times. A message over MAX_MESSAGE_BYTES is marked seen unread.
     */
    async readNew(handle) {
      const client = new ImapFlow({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        auth: { user: settings.user, pass: settings.pass },
        // imapflow's own log names the account and mailbox; ours says what matters.
        logger: false,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 60_000,
      });
      // A dropped connection is also emitted as an event; without a listener it would end the process.
      client.on('error', (err: Error) => log.warn({ error: safeError(err) }, 'mailbox connection error'));
      const result: ReadResult = { read: 0, failed: 0, skipped: 0 };
      const markSeen = (uid: number) => client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      try {
        await client.connect();
        const lock = await client.getMailboxLock(settings.mailbox);
        try {
          const uids = (await client.search({ seen: false }, { uid: true })) || [];
          const box = client.mailbox ? String(client.mailbox.uidValidity) : '';
          const keyOf = (uid: number) => `${box}:${uid}`;
          // Forget messages no longer waiting (read elsewhere, deleted): the map stays small.
          const waiting = new Set(uids.map(keyOf));
          for (const key of failures.keys()) if (!waiting.has(key)) failures.delete(key);

          for (const uid of uids) {
            const key = keyOf(uid);
            /** Counts a failure; after the last one allowed, marks the message seen. True if the read should go on. */
            const failedWith = async (err: unknown, what: string): Promise<boolean> => {
              result.failed++;
              if (opts.isTransient?.(err) || !client.usable) {
                log.warn({ uid, error: safeError(err) }, `${what}; it stays unseen, and this read stops here`);
                return false;
              }
              const times = (failures.get(key) ?? 0) + 1;
              if (times < MAX_FAILED_READS) {
                failures.set(key, times);
                log.warn({ uid, times, error: safeError(err) }, `${what}; it stays unseen`);
                return true;
              }
              failures.delete(key);
              await markSeen(uid);
              result.skipped++;
              log.error({ uid, times, error: safeError(err) }, `${what} ${times} times; marked seen and left in the mailbox`);
              return true;
            };

            let email: IncomingEmail;
            try {
              // The size first: a message too large is never downloaded.
              const head = await client.fetchOne(String(uid), { size: true }, { uid: true });
              if (!head) continue; // gone since the search
              if ((head.size ?? 0) > MAX_MESSAGE_BYTES) {
                await markSeen(uid);
                result.skipped++;
                log.warn({ uid, bytes: head.size, limit: MAX_MESSAGE_BYTES }, 'a message too large to read; marked seen, not read');
                continue;
              }
              // `source` is fetched with BODY.PEEK[], which leaves the message unseen.
              const message = await client.fetchOne(String(uid), { source: true, internalDate: true }, { uid: true });
              if (!message || !message.source) throw new Error('message vanished before it could be read');
              email = await toIncomingEmail(message.source, message.internalDate);
            } catch (err) {
              if (await failedWith(err, 'could not read a message from the mailbox')) continue;
              break;
            }
            try {
              await handle(email);
            } catch (err) {
              if (await failedWith(err, 'a message from the mailbox was not taken in')) continue;
              break;
            }
            failures.delete(key);
            await markSeen(uid);
            result.read++;
          }
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
      if (result.read || result.failed || result.skipped) log.info(result, 'mailbox read');
      return result;
    },
  };
}

/** Parses one raw message; exported for unit tests of the text rules. */
export async function toIncomingEmail(source: Buffer, internalDate?: Date | string): Promise<IncomingEmail> {
  // mailparser turns an HTML-only message into text itself (html-to-text).
  const parsed = await simpleParser(source, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
  const from = parsed.from?.value[0];
  const received = internalDate ? new Date(internalDate) : (parsed.date ?? new Date());
  const references = [parsed.inReplyTo ?? '', ...[parsed.references ?? []].flat()];
  return {
    messageId: storableMessageId(parsed.messageId?.trim() || `sha256:${createHash('sha256').update(source).digest('hex')}`),
    fromEmail: (from?.address ?? '').trim().toLowerCase(),
    fromName: from?.name?.trim() || null,
    subject: (parsed.subject ?? '').trim(),
    text: storyText(parsed.text ?? ''),
    attachments: parsed.attachments.length,
    receivedAt: Number.isNaN(received.getTime()) ? new Date() : received,
    autoSubmitted: isAutoSubmitted(parsed.headerLines),
    repliesToUs: references.some(isOurMessageId),
  };
}

const AUTOMATIC_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);
// The senders of bounces (RFC 5321: "MAILER-DAEMON", "postmaster"), as an address or a bare name.
const BOUNCE_SENDER = /(?:^|[<\s"])(?:mailer-daemon|postmaster)(?:@|>|$)/i;

/**
 * True for mail a machine sent: `Auto-Submitted` other than "no" (RFC 3834: out-of-office replies,
 * bounces, notifications), `Precedence` bulk, junk, list or auto_reply, or the `X-Autoreply` /
 * `X-Autorespond` headers some responders add instead; a bounce (`Content-Type: multipart/report`,
 * RFC 6522, or From MAILER-DAEMON or postmaster, or the empty `Return-Path: <>` of RFC 5321); and
 * mailing-list mail (`List-Id`, `List-Unsubscribe`, RFC 2919 and 2369). Read from the raw header
 * lines, so a header with an empty value still counts as present.
 */
export function isAutoSubmitted(headerLines: ReadonlyArray<{ key: string; line: string }>): boolean {
  const whole = (name: string) =>
    headerLines
      .filter((h) => h.key.toLowerCase() === name)
      .map((h) =>
        h.line
          .slice(h.line.indexOf(':') + 1)
          .replace(/\([^)]*\)/g, ' ')
          .trim(),
      );
  // The first word of each value, lower case: "auto-replied; owner-email=…" is "auto-replied".
  const values = (name: string) => whole(name).map((v) => v.split(/[\s;]/)[0]!.toLowerCase());
  return (
    values('auto-submitted').some((v) => v !== 'no') ||
    values('precedence').some((v) => AUTOMATIC_PRECEDENCE.has(v)) ||
    values('x-autoreply').length > 0 ||
    values('x-autorespond').length > 0 ||
    values('content-type').some((v) => v === 'multipart/report') ||
    whole('from').some((v) => BOUNCE_SENDER.test(v)) ||
    whole('return-path').some((v) => /^<\s*>$/.test(v)) ||
    values('list-id').length > 0 ||
    values('list-unsubscribe').length > 0
  );
}

/**
 * The words the person wrote: without a signature (after the "-- " line), without the quoted message
 * they replied to ("> " lines, the "On … wrote:" line before them, Outlook's "Original Message").
 */
export function storyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = lines.findIndex((l) => l === '-- ' || /^-{2,}\s*Original Message\s*-{2,}$/i.test(l.trim()));
  const kept = (cut === -1 ? lines : lines.slice(0, cut)).filter((l) => !/^\s*>/.test(l));
  while (kept.length && kept.at(-1)!.trim() === '') kept.pop();
  // Mail programs wrap a long "On Mon, 1 Dec 2025 at 10:00, Name <address> wrote:" over two lines.
  if (kept.at(-1)?.trim().endsWith('wrote:')) {
    const on = [kept.length - 1, kept.length - 2].find((i) => i >= 0 && /^On\s/.test(kept[i]!.trim()));
    if (on !== undefined) kept.splice(on);
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An error as the log may hold it: its kind and message, with any email address taken out. */
function safeError(err: unknown): { name: string; code?: string; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: e.message.replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]').slice(0, 200),
  };
}
