import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** What the message is for, kept out of the message itself; used in logs and tests. */
  kind: string;
  /** Small text attachments (a calendar file); kept as text so the job queue can hold them. */
  attachments?: { filename: string; content: string; contentType: string }[];
}

export interface Mailer {
  send(message: OutgoingEmail): Promise<void>;
  close(): void;
}

const OUR_MESSAGE_ID_PREFIX = 'coproduce.';
const OUR_MESSAGE_ID = /<coproduce\.[0-9a-f]{24}@[^<>\s]+>/i;

/** True when an In-Reply-To or References value names a message we sent. */
export const isOurMessageId = (value: string): boolean => OUR_MESSAGE_ID.test(value);

/**
 * What every message we send carries besides its text. `Auto-Submitted: auto-generated` (RFC 3834)
 * tells auto-responders not to answer (an out-of-office reply to a consent request that the
 * stories mailbox then answered would be a loop), and Exchange, which looks at its own header
 * instead, is asked the same. The Message-ID is ours in a form we can recognise, so that a reply
 * to one of our emails is known for one (see isOurMessageId).
 */
export function sentHeaders(from: string): { messageId: string; headers: Record<string, string> } {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return {
    messageId: `<${OUR_MESSAGE_ID_PREFIX}${randomBytes(12).toString('hex')}@${domain}>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'OOF, AutoReply' },
  };
}

/**
 * Real SMTP when SMTP_URL is set. Otherwise each message is written to DATA_DIR/outbox as an
 * .eml file, so that sign-in links work on a laptop with no mail server.
 */
export function createMailer(opts: {
  smtpUrl?: string | undefined;
  from: string;
  /** MAIL_REPLY_TO: "reply to this email" reaches the team, not the no-reply sender. */
  replyTo?: string | undefined;
  outboxDir: string;
}): Mailer {
  // Every message says it was sent automatically and carries a Message-ID we can recognise.
  const mailOf = (m: OutgoingEmail) => ({
    ...sentHeaders(opts.from),
    from: opts.from,
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    to: m.to,
    subject: m.subject,
    text: m.text,
    attachments: m.attachments,
  });
  if (opts.smtpUrl) {
    // Short timeouts: a mail server that does not answer is a failed try, retried later.
    const transport = nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      async send(m) {
        await transport.sendMail(mailOf(m));
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail(mailOf(m));
      await fs.mkdir(opts.outboxDir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const tmp = path.join(opts.outboxDir, `.${name}.tmp`);
      await fs.writeFile(tmp, info.message as Buffer, { mode: 0o600 });
      await fs.rename(tmp, path.join(opts.outboxDir, name));
    },
    close: () => undefined,
  };
}
