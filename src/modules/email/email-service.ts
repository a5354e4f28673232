import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import type { OutgoingEmailRow } from '../../db/schema.ts';
import { EMAIL_QUEUE, type JobQueue } from '../../jobs/jobs.ts';
import { NotFoundError } from '../../lib/validation.ts';
import type { EmailRequest } from './email-requests.ts';
import type { EmailRepository } from './email-repository.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import type { Logger } from '../../logger.ts';

/** What went wrong, without the addresses an SMTP server's answer may quote. */
export function describeSendError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const text = [e.code, e.responseCode, e.message ?? String(err)].filter(Boolean).join(' ');
  return text.replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]').slice(0, 300);
}

/**
 * Every email is recorded, then sent by the job queue. A message that cannot be sent is tried
 * again with a growing wait (30 s, 1 min, 2 min … up to 15 min) for at least a day, so a mail
 * server down for hours loses nothing; after that it is marked failed for an admin to send again.
 * A message is sent at most once: its row is locked while it is sent and marked in the same step.
 */
export function createEmailService(deps: {
  db: Db;
  config: Pick<Config, 'emailRetry'>;
  emails: EmailRepository;
  queue: Pick<JobQueue, 'enqueue'>;
  mailer: Mailer;
  compose: (request: EmailRequest) => Promise<OutgoingEmail | null>;
  log: Pick<Logger, 'warn' | 'error'>;
  /** Told of each email sent and each try that failed (for /metrics). */
  counted?: { sent(kind: string): void; failed(kind: string): void };
}) {
  const { db, emails } = deps;
  const retry = deps.config.emailRetry;

  function nextAttemptAfterFailure(row: OutgoingEmailRow, now: Date): Date | null {
    if (now.getTime() - row.createdAt.getTime() >= retry.windowMs) return null;
    const delay = Math.min(retry.firstDelayMs * 2 ** row.attempts, retry.maxDelayMs);
    return new Date(now.getTime() + delay);
  }

  return {
    /**
     * Records the email and queues its sending. Given a transaction, both happen in it: the email
     * exists if and only if what it is about was committed.
     */
    async queue(request: EmailRequest, opts: { in?: Executor } = {}): Promise<void> {
      const ex = opts.in ?? db;
      const row = await emails.insert(ex, { kind: request.kind, ref: request.ref });
      await deps.queue.enqueue(EMAIL_QUEUE, { emailId: row.id }, opts.in ? { in: opts.in } : {});
    },

    /** The job: compose and send one email, or schedule its next try. */
    async deliver(emailId: string): Promise<void> {
      const retryAt = await db.transaction(async (tx) => {
        const row = await emails.lockForSending(tx, emailId);
        // Sent, failed, not needed, being sent by another worker, or a later try is planned.
        if (!row || row.status !== 'waiting') return null;
        if (row.nextAttemptAt && row.nextAttemptAt.getTime() > Date.now() + 1000) return null;
        const message = await deps.compose({ kind: row.kind, ref: row.ref });
        if (!message) {
          await emails.markNotNeeded(tx, row.id);
          return null;
        }
        try {
          await deps.mailer.send(message);
        } catch (err) {
          deps.counted?.failed(row.kind);
          const next = nextAttemptAfterFailure(row, new Date());
          await emails.markAttemptFailed(tx, row.id, { error: describeSendError(err), nextAttemptAt: next });
          const about = { err: describeSendError(err), emailId: row.id, kind: row.kind };
          if (next) deps.log.warn({ ...about, nextAttemptAt: next.toISOString() }, 'email not sent; will try again');
          else deps.log.error(about, 'email failed after the retry window; shown to admins');
          return next;
        }
        await emails.markSent(tx, row.id);
        deps.counted?.sent(row.kind);
        return null;
      });
      if (retryAt) await deps.queue.enqueue(EMAIL_QUEUE, { emailId }, { startAfter: retryAt });
    },

    /** An admin sends a waiting or failed email again now; it gets another day of tries. */
    async sendAgain(emailId: string): Promise<void> {
      if (!/^[0-9a-f-]{36}$/i.test(emailId) || !(await emails.restart(db, emailId)))
        throw new NotFoundError('No waiting or failed email with that id');
      await deps.queue.enqueue(EMAIL_QUEUE, { emailId });
    },

    /** Waiting and failed emails, with who they are for, for the admin page. */
    async troubled(limit = 200) {
      const rows = await emails.troubled(db, limit);
      return Promise.all(
        rows.map(async (row) => {
          const message = await deps.compose({ kind: row.kind, ref: row.ref }).catch(() => null);
          return { ...row, to: message?.to ?? null, subject: message?.subject ?? null };
        }),
      );
    },
    countTroubled: () => emails.countTroubled(db),

    /** True when the latest try to send any email in the last hour failed. */
    async mailIsFailing(): Promise<boolean> {
      return emails.lastAttemptFailed(db, new Date(Date.now() - 3_600_000));
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
