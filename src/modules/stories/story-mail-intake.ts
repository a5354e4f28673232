import { sql } from 'drizzle-orm';
import { isDatabaseUnavailable, type Db, type Executor } from '../../db/client.ts';
import { stories, storyMailReplies } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { Logger } from '../../logger.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import { findPersonalDetails } from './flags.ts';
import { createMailboxReader, storableMessageId, type IncomingEmail, type ReadResult } from './mailbox.ts';
import type { StoriesRepository } from './stories-repository.ts';
import { MAX_STORY } from './stories-schemas.ts';

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

/** How long an email with no story in it is remembered: long after any redelivery or retried reply. */
export const MAIL_REPLY_DAYS = 30;

/**
 * A fallback for the few auto-responders that mark nothing in their headers: the subject prefix
 * Outlook, Exchange and most others put before the subject they answer ("Automatic reply: …",
 * "Out of Office: …"), in English and in the languages Outlook most often answers in here (Welsh,
 * German, French, Spanish, Italian, Dutch, Portuguese, Polish, Scandinavian), and the subjects of
 * bounces from servers that mark nothing either. The colon (or the end of the subject) keeps a
 * story called "Out of office hours" a story.
 */
const AUTO_REPLY_SUBJECT = new RegExp(
  '^\\s*(?:' +
    [
      'auto(?:matic)?[ -]?(?:reply|response)',
      'autoreply',
      'out of (?:the )?office(?: auto[ -]?reply)?',
      'ateb awtomatig',
      'automatische antwort',
      'abwesenheitsnotiz',
      'réponse automatique(?: d.absence du bureau)?',
      'absence du bureau',
      'respuesta automática',
      'fuera de la oficina',
      'risposta automatica',
      'fuori sede',
      'automatisch antwoord',
      'resposta automática',
      'odpowiedź automatyczna',
      'automatisk svar',
      'autosvar',
      'undeliverable',
      'undelivered mail returned to sender',
      'delivery status notification(?: \\((?:failure|delay)\\))?',
      'mail delivery failed',
      'returned mail',
    ].join('|') +
    ')\\s*(?::|$)',
  'iu',
);

/**
 * No more than this many replies (consent requests and "no story found" answers together) go to
 * one address in 24 hours. A From address is easily forged: without a limit, anyone could make us
 * send any number of emails to someone else. Beyond it the story is still stored, and not answered.
 */
export const MAX_REPLIES_PER_DAY = 3;

/**
 * What a reply may echo of what the sender wrote (their display name, their subject): at most 80
 * characters on one line. A name that looks like a link or an address is not echoed at all.
 */
export const ECHO_LIMIT = 80;

export function shortForm(value: string | null | undefined, max = ECHO_LIMIT): string {
  // Control characters, line breaks and the bidirectional overrides used to disguise text.
  const flat = (value ?? '').replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\s]+/gu, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trim()}…`;
}

const echoableName = (name: string | null) => {
  const short = shortForm(name);
  return !short || /:\/\/|www\.|@|\.(?:com|org|net|uk|io|ru|info|biz)\b/i.test(short) ? null : short;
};

// Addresses that read no mail: answering them only makes a bounce, or a loop.
const NO_REPLY_ADDRESS = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)(?:[+.-][^@]*)?@/i;
const plausibleAddress = (a: string) =>
  a.length <= 254 && /^[^\s@<>()",;:]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(a) && !NO_REPLY_ADDRESS.test(a);

export interface Received {
  /** The story made, or null when the email held none (it was answered instead, or left alone). */
  storyId: string | null;
  /** False when this Message-ID was taken in before, or the email was left alone: nothing was stored or sent. */
  created: boolean;
}

/**
 * Stories emailed to the mailbox. Each becomes a submitted story with no consent yet, and its
 * sender is asked, by email, whether we may publish it and quote it. An email with no story in
 * it (only an attachment, say) is answered plainly instead, and remembered in story_mail_replies
 * only to answer it once. Either way, once per Message-ID. Automatic mail (out-of-office replies,
 * bounces, lists) is neither a story nor answered.
 */
export function createStoryMailIntake(deps: {
  db: Db;
  stories: StoriesRepository;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
  imapUrl: string | undefined;
  log: Log;
}) {
  const { db, stories: repo } = deps;

  // Stories whose consent request could not be queued, to queue when their email is read again
  // (it stays unseen). In this process only: see the note on queueConsentRequest.
  const consentRequestOwed = new Set<string>();

  /**
   * Queues the email asking a story's author for consent. It is queued after the story's
   * transaction has committed (the job composes the email from the story row, which must be there
   * by then), so the two can come apart: if queueing fails, the story is stored, the email stays
   * unseen, and the next read finds the story already stored. The story is remembered here as
   * owed its request, and that read queues it. The memory does not survive a restart (nor an
   * email given up after MAX_FAILED_READS, which is logged): a durable fix needs the email service
   * to record the email inside the story's own transaction.
   */
  async function queueConsentRequest(storyId: string) {
    try {
      await deps.jobs.sendEmail({ kind: 'story-consent-request', ref: { storyId } });
      consentRequestOwed.delete(storyId);
    } catch (err) {
      consentRequestOwed.add(storyId);
      deps.log.error(
        { storyId, error: errorText(err) },
        'a story by email is stored but its consent request could not be queued; will retry',
      );
      throw err;
    }
  }

  async function receiveEmail(incoming: IncomingEmail): Promise<Received> {
    const m = { ...incoming, messageId: storableMessageId(incoming.messageId) };
    const about = { messageId: m.messageId.slice(0, 200) };
    // An out-of-office answer, a bounce or list mail is not a story; answering it would start a loop.
    if (m.autoSubmitted || AUTO_REPLY_SUBJECT.test(m.subject)) {
      deps.log.info(about, 'an automatic email reached the stories mailbox; left alone');
      return { storyId: null, created: false };
    }
    // A reply to one of our emails (a consent request, an answer): answering it could loop too. It
    // stays in the mailbox, seen, for staff; the consent questions are answered through the link.
    if (m.repliesToUs) {
      deps.log.info(about, 'a reply to one of our emails reached the stories mailbox; left alone, for staff to read there');
      return { storyId: null, created: false };
    }
    const fromName = echoableName(m.fromName);
    const answerable = plausibleAddress(m.fromEmail);
    const text = m.text.trim();
    const reason = !text ? 'no_text' : text.length > MAX_STORY ? 'too_long' : null;
    if (reason) {
      // Nobody to answer: nothing to keep.
      if (!answerable) return { storyId: null, created: false };
      const { created, mayReply } = await db.transaction(async (tx) => {
        const mayReply = await underReplyLimit(tx, m.fromEmail);
        // received_at is left to the database (now, when it was taken in): the 30 days count from it.
        const created = await repo.insertMailReply(tx, { messageId: m.messageId, fromEmail: m.fromEmail, fromName, reason });
        return { created, mayReply };
      });
      if (!created) return { storyId: null, created: false };
      if (!mayReply) {
        deps.log.warn(
          { ...about, limit: MAX_REPLIES_PER_DAY },
          'an email with no story in it, not answered: its sender had all the replies a day allows',
        );
        return { storyId: null, created: true };
      }
      try {
        // The job carries the Message-ID only; the address is looked up when the reply is composed.
        await deps.jobs.sendEmail({ kind: 'story-not-found-in-email', ref: { messageId: m.messageId } });
      } catch (err) {
        // Not answered: forget it, so the next read (the email stays unseen) tries again.
        await repo.deleteMailReply(db, m.messageId).catch(() => undefined);
        throw err;
      }
      return { storyId: null, created: true };
    }
    const result = await db.transaction(async (tx) => {
      const mayReply = answerable && (await underReplyLimit(tx, m.fromEmail));
      const out = await repo.insert(tx, {
        source: 'email',
        // Echoed in the consent request's subject: kept short.
        title: shortForm(m.subject) || 'A story by email',
        body: text,
        authorEmail: m.fromEmail || null,
        authorName: fromName,
        flags: findPersonalDetails(text),
        messageId: m.messageId,
        // Consent is asked for by email; until it is answered, nothing is published or quoted.
        consentPublish: false,
        consentShowName: false,
        consentQuote: false,
        consentAt: null,
      });
      if (out.created)
        await deps.audit.insert(tx, {
          actorId: null,
          action: 'story.submitted',
          subjectType: 'story',
          subjectId: out.story.id,
          details: { source: 'email', attachments: m.attachments, ...(mayReply ? {} : { consentRequest: 'not sent' }) },
        });
      return { ...out, mayReply };
    });
    const s = result.story;
    if (result.created && s.authorEmail) {
      if (result.mayReply) await queueConsentRequest(s.id);
      else
        deps.log.warn(
          { ...about, storyId: s.id, limit: MAX_REPLIES_PER_DAY },
          answerable
            ? 'a story by email is stored; its sender had all the replies a day allows, so no consent request was sent'
            : 'a story by email is stored; its address takes no replies, so no consent request was sent',
        );
    } else if (!result.created && consentRequestOwed.has(s.id)) {
      // Read again after its consent request failed to queue: queue it now, unless it is no longer needed.
      if (!s.consentAt && s.status !== 'withdrawn') await queueConsentRequest(s.id);
      else consentRequestOwed.delete(s.id);
    }
    return { storyId: s.id, created: result.created };
  }

  /**
   * Whether this address may have another reply today, counted from the rows there are: stories
   * emailed in from it, and emails from it with no story, in the last 24 hours. Under a lock on
   * the address, so two reads at once cannot both take the last reply.
   */
  async function underReplyLimit(tx: Executor, address: string): Promise<boolean> {
    return (await repliesSince(tx, address, 24)) < MAX_REPLIES_PER_DAY;
  }

  let reader: ReturnType<typeof createMailboxReader> | null = null;
  // One read at a time, whoever asks (the timer, or a test): each waits for the one before.
  let queue: Promise<unknown> = Promise.resolve();

  function readMailbox(): Promise<ReadResult> {
    if (!deps.imapUrl) return Promise.resolve({ read: 0, failed: 0, skipped: 0 });
    // A database that is down is nobody's fault: it ends the read, and counts against no email.
    reader ??= createMailboxReader({ url: deps.imapUrl, log: deps.log, isTransient: isDatabaseUnavailable });
    const r = reader;
    const run = queue.then(() => r.readNew(async (m) => void (await receiveEmail(m))));
    queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the mailbox soon after start, then `seconds` after each read ends, so reads never
   * overlap. Returns the function that stops it, waiting for a read under way.
   */
  function watchMailbox(seconds: number, opts: { firstAfterMs?: number } = {}): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let current: Promise<unknown> = Promise.resolve();
    const tick = () => {
      timer = null;
      current = readMailbox()
        .catch((err: Error) => deps.log.warn({ error: errorText(err) }, 'the mailbox could not be read'))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, seconds * 1000).unref();
        });
    };
    timer = setTimeout(tick, opts.firstAfterMs ?? 2000).unref();
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    };
  }

  /** The hourly clean-up: forgets emails with no story in them once they are MAIL_REPLY_DAYS old. */
  async function removeOldMailReplies(): Promise<number> {
    return repo.deleteMailRepliesBefore(db, new Date(Date.now() - MAIL_REPLY_DAYS * 24 * 3_600_000));
  }

  return { receiveEmail, readMailbox, watchMailbox, removeOldMailReplies };
}

/** An error as the log may hold it: its kind and message, with any email address taken out. */
function errorText(err: unknown): { name: string; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    name: e.name,
    message: String(e.message)
      .replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]')
      .slice(0, 200),
  };
}

/**
 * Replies sent to `address` (in any case) in the last `hours` hours, as the rows we keep count
 * them: stories emailed in from it, and emails from it with no story in them. Takes the address's
 * lock first, until the transaction ends. (SQL that belongs in stories-repository.ts, as
 * `countMailRepliesTo`; kept here while that file is being changed by others.)
 */
async function repliesSince(tx: Executor, address: string, hours: number): Promise<number> {
  // The same lock as the repository's lockAddress: every submission to one address, one at a time.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'story-address:' + address.toLowerCase()}))`);
  const since = sql`now() - make_interval(hours => ${hours}::int)`;
  const { rows } = await tx.execute<{ n: string }>(sql`
    select (select count(*) from ${stories}
             where ${stories.source} = 'email' and lower(${stories.authorEmail}) = lower(${address}) and ${stories.createdAt} > ${since})
         + (select count(*) from ${storyMailReplies}
             where lower(${storyMailReplies.fromEmail}) = lower(${address}) and ${storyMailReplies.receivedAt} > ${since}) as n`);
  return Number(rows[0]?.n ?? 0);
}
