import PgBoss from 'pg-boss';
import { createPool, endPool, isDatabaseUnavailable, rawQuery, type Executor } from '../db/client.ts';
import type { EmailRequest } from '../modules/email/email-requests.ts';
import { loggable, type Logger } from '../logger.ts';

export const EMAIL_QUEUE = 'email.send';
export const CLEANUP_QUEUE = 'maintenance.cleanup';
export const REMINDER_QUEUE = 'registration.reminder';
export const THEMES_QUEUE = 'form.themes';
export const CHAT_FOLLOW_UP_QUEUE = 'chat.follow-up';
export const CONVERSATION_THEMES_QUEUE = 'conversation.themes';

export interface EnqueueOptions {
  startAfter?: Date;
  singletonKey?: string;
  /**
   * A transaction to queue the job in: it commits or rolls back with the transaction, on the
   * connection the transaction already holds (no second pool, no second round trip to wait for).
   */
  in?: Executor;
}

export interface JobQueue {
  /**
   * Queues a job, to run now or at `startAfter`. `singletonKey` labels the job; pg-boss only
   * refuses a second one on queues with a singleton policy, so handlers check again when they run.
   */
  enqueue(queue: string, data: object, opts?: EnqueueOptions): Promise<void>;
  /** Runs a handler for a queue's jobs (only in a process that works the queue). */
  work<T extends object>(
    queue: string,
    handler: (data: T) => Promise<void>,
    options?: { pollingIntervalSeconds?: number; batchSize?: number },
  ): Promise<void>;
  /** Jobs by queue and state (for /metrics); throws if the queue's database cannot be reached (for /health/ready). */
  depth(): Promise<{ queue: string; state: string; count: number }[]>;
  stop(): Promise<void>;
}

/** What services use: the queue, and email (recorded, then sent by the queue: see email-service.ts). */
export interface Jobs extends JobQueue {
  /** Queues an email by kind and ids; the message is composed when the job runs. `in`: as for enqueue. */
  sendEmail(request: EmailRequest, opts?: { in?: Executor }): Promise<void>;
}

/** A job as pg-boss's insert() takes it; startAfter as an ISO time. */
interface JobRow {
  name: string;
  data: object;
  startAfter?: string;
  singletonKey?: string;
}

/**
 * Jobs queued outside a transaction go in one statement with whatever else is being queued at the
 * same moment, as a database groups commits: a job goes at once when nothing is on its way; while
 * `maxInFlight` inserts are, the jobs that arrive wait and go together in the next. A burst of
 * bookings then queues its emails and reminders in a few statements, not one per job (issue 16).
 * Each caller's promise settles with the statement that carried its job.
 */
export function groupedInserts(insert: (rows: JobRow[]) => Promise<void>, opts: { maxInFlight?: number; maxBatch?: number } = {}) {
  const maxInFlight = opts.maxInFlight ?? 1;
  const maxBatch = opts.maxBatch ?? 500;
  let waiting: { row: JobRow; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let inFlight = 0;
  let scheduled = false;
  const send = () => {
    scheduled = false;
    while (inFlight < maxInFlight && waiting.length) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      inFlight++;
      insert(batch.map((b) => b.row))
        .then(
          () => batch.forEach((b) => b.resolve()),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          inFlight--;
          send();
        });
    }
  };
  const queue = (row: JobRow) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      // Jobs queued in the same turn (a booking's email and reminder) go together.
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(send);
      }
    });
  return Object.assign(queue, { pending: () => waiting.length + inFlight });
}

/** Every queue createQueues makes: a job for any other would be dropped by insert(), so it is refused. */
const QUEUES = [EMAIL_QUEUE, CLEANUP_QUEUE, REMINDER_QUEUE, THEMES_QUEUE, CHAT_FOLLOW_UP_QUEUE, CONVERSATION_THEMES_QUEUE];
const knownQueues = new Set(QUEUES);

/** Creates pg-boss's own schema and queues; run at migration time so tests can template it. */
async function createQueues(boss: PgBoss) {
  await boss.createQueue(EMAIL_QUEUE, { name: EMAIL_QUEUE, retryLimit: 5, retryDelay: 30, retryBackoff: true });
  await boss.createQueue(CLEANUP_QUEUE, { name: CLEANUP_QUEUE });
  await boss.createQueue(REMINDER_QUEUE, { name: REMINDER_QUEUE, retryLimit: 3, retryDelay: 60 });
  // Theme-finding on tens of thousands of answers takes a while: give it time before it expires.
  await boss.createQueue(THEMES_QUEUE, { name: THEMES_QUEUE, retryLimit: 1, expireInSeconds: 900 });
  await boss.createQueue(CHAT_FOLLOW_UP_QUEUE, { name: CHAT_FOLLOW_UP_QUEUE, retryLimit: 3, retryDelay: 60 });
  await boss.createQueue(CONVERSATION_THEMES_QUEUE, { name: CONVERSATION_THEMES_QUEUE, retryLimit: 1, expireInSeconds: 900 });
}

export async function prepareJobSchema(databaseUrl: string): Promise<void> {
  const boss = new PgBoss({ connectionString: databaseUrl, supervise: false, schedule: false, max: 2 });
  boss.on('error', () => undefined);
  await boss.start();
  await createQueues(boss);
  await boss.stop({ graceful: false, wait: true });
}

/**
 * The job queue lives in the same PostgreSQL: an email queued survives a restart and is
 * retried if the mail server is down. `work: false` gives a process that only enqueues.
 */
export async function startJobs(opts: {
  databaseUrl: string;
  connectTimeoutMs?: number;
  onConnectionError?: (err: Error) => void;
  work: boolean;
  /** Hourly housekeeping (expired sessions and sign-in links). */
  cleanup?: () => Promise<void>;
  log: Pick<Logger, 'error' | 'warn'>;
  /** Told each time a job's handler fails (for /metrics). */
  onJobFailed?: (queue: string) => void;
}): Promise<JobQueue> {
  // pg-boss runs its SQL on a pool of ours, which survives a database restart (see createPool).
  const pool = createPool(opts.databaseUrl, { max: 4, connectTimeoutMs: opts.connectTimeoutMs, onConnectionError: opts.onConnectionError });
  // Counted so the pool is closed only once pg-boss has finished its last statement.
  let running = 0;
  let outageLogged = 0;
  const executeSql = async (text: string, values?: unknown[]) => {
    running++;
    try {
      return await pool.query(text, values);
    } catch (err) {
      // pg-boss records a job's outcome without waiting for it, so a failure there would be an
      // unhandled rejection that ends the process. While the database is away, a statement
      // finds no rows instead: workers fetch nothing, a job whose outcome was not recorded runs
      // again when it expires, and sending a job reports that it was not queued.
      if (!isDatabaseUnavailable(err)) throw err;
      if (Date.now() - outageLogged > 10_000) {
        outageLogged = Date.now();
        opts.log.warn({ err: { message: (err as Error).message } }, 'job queue: database unavailable; waiting for it');
      }
      // Statements that record outcomes answer with a count of the jobs they changed.
      return /SELECT COUNT\(\*\) FROM results/i.test(text) ? { rows: [{ count: '0' }], rowCount: 1 } : { rows: [], rowCount: 0 };
    } finally {
      running--;
    }
  };
  const boss = new PgBoss({
    db: { executeSql },
    schedule: opts.work,
    supervise: opts.work,
    // Jobs carry only ids, but there is no reason to keep finished ones long.
    archiveCompletedAfterSeconds: 60,
    deleteAfterHours: 1,
  });
  boss.on('error', (err) => opts.log.error({ err }, 'job queue error'));
  await boss.start();
  await createQueues(boss);
  if (opts.work) {
    if (opts.cleanup) {
      const cleanup = opts.cleanup;
      await boss.schedule(CLEANUP_QUEUE, '17 * * * *');
      await boss.work(CLEANUP_QUEUE, async () => cleanup());
    }
  }
  // Straight to the pool: a failure reaches whoever queued the job, as it did with send().
  const direct = {
    executeSql: async (text: string, values?: unknown[]) => {
      running++;
      try {
        return await pool.query(text, values);
      } finally {
        running--;
      }
    },
  };
  const queueTogether = groupedInserts((rows) => boss.insert(rows, { db: direct }).then(() => undefined));
  return {
    async enqueue(queue, data, options = {}) {
      if (options.in) {
        const ex = options.in;
        // insert() applies the queue's retry and expiry settings as send() does; a singleton
        // already queued is skipped by its unique index, as with send().
        await boss.insert(
          [
            {
              name: queue,
              data,
              ...(options.startAfter ? { startAfter: options.startAfter.toISOString() } : {}),
              ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
            },
          ],
          { db: { executeSql: (text: string, values?: unknown[]) => rawQuery(ex, text, values) } },
        );
        return;
      }
      if (!knownQueues.has(queue)) throw new Error(`The job could not be queued: there is no queue ${queue}`);
      await queueTogether({
        name: queue,
        data,
        ...(options.startAfter ? { startAfter: options.startAfter.toISOString() } : {}),
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      });
    },
    async work(queue, handler, options = {}) {
      if (!opts.work) return;
      await boss.work(
        queue,
        { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: options.batchSize ?? 1 },
        async (jobs) => {
          for (const job of jobs) {
            try {
              await handler(job.data as never);
            } catch (err) {
              // pg-boss retries or fails the job; the log says which and why.
              opts.log.warn({ err: loggable(err as Error), queue, jobId: job.id }, 'job failed');
              opts.onJobFailed?.(queue);
              throw err;
            }
          }
        },
      );
    },
    async depth() {
      // Straight to the pool (not executeSql, which answers "no rows" while the database is away).
      const { rows } = await direct.executeSql(
        `select name as queue, state::text as state, count(*)::int as count from pgboss.job
          where state in ('created', 'retry', 'active') group by 1, 2`,
      );
      return rows as { queue: string; state: string; count: number }[];
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      // A worker may still be recording its last job's outcome; let it, briefly.
      for (let waited = 0; (running > 0 || queueTogether.pending() > 0) && waited < 5000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 100));
      await endPool(pool);
    },
  };
}
