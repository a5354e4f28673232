import path from 'node:path';
import type { Config } from './config.ts';
import { startChangeFeed, type ChangeFeed } from './db/change-feed.ts';
import { connect, isDatabaseUnavailable, migrate, type Database } from './db/client.ts';
import {
  CHAT_FOLLOW_UP_QUEUE,
  CONVERSATION_THEMES_QUEUE,
  EMAIL_QUEUE,
  REMINDER_QUEUE,
  startJobs,
  THEMES_QUEUE,
  type JobQueue,
} from './jobs/jobs.ts';
import { loadSecrets } from './lib/secrets.ts';
import { seedDemoData } from './modules/demo/demo-data.ts';
import { createMailer } from './modules/email/mailer.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices, type Services } from './services.ts';
import { createMetrics, type Metrics } from './metrics.ts';

export interface Runtime {
  databaseUrl: string;
  database: Database;
  jobs: JobQueue;
  /** What public pages show has changed (any process): for the page cache. */
  changes: ChangeFeed;
  services: Services;
  /** What /metrics reports for this process; nothing is counted unless METRICS_TOKEN or METRICS_PORT is set. */
  metrics: Metrics | undefined;
  /** The database and the job queue can be reached now (GET /health/ready). */
  ready(): Promise<{ database: boolean; jobs: boolean }>;
  /** The process's logger, for the HTTP app too. */
  log: Logger;
  sessionSecret: string;
  seeded: boolean;
  stop(): Promise<void>;
}

let toleratingOutages = false;

/**
 * pg-boss records a finished job's outcome without waiting for it, so when the database is
 * restarting (or its pool is closing at shutdown) that statement's failure has no handler.
 * Such a rejection is logged and the process carries on: the job runs again when it expires.
 * Any other unhandled rejection still ends the process.
 */
function tolerateDatabaseOutages(log: Logger) {
  if (toleratingOutages) return;
  toleratingOutages = true;
  process.on('unhandledRejection', (reason) => {
    if (!isDatabaseUnavailable(reason)) throw reason;
    log.error(
      { err: { message: (reason as Error)?.message } },
      'a background database statement failed while the database was unavailable',
    );
  });
}

/**
 * Everything below HTTP: the database (embedded unless DATABASE_URL is set), migrations, the
 * job queue, mail, services and, on a first start, demo data. Shared by the server and the CLI.
 */
export async function startRuntime(config: Config, opts: { work: boolean; seed: boolean; log?: Logger }): Promise<Runtime> {
  const log = opts.log ?? createLogger(config);
  tolerateDatabaseOutages(log);
  let stopEmbedded = async () => undefined as void;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    // Imported only when needed: an external database needs none of it.
    const embedded = await import('./db/embedded.ts');
    const server = await embedded.startEmbeddedDatabase({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      log: (m) => log.debug({ component: 'postgres' }, m),
      notice: (m) => log.info({ component: 'postgres' }, m),
    });
    await embedded.ensureDatabase(server.url('postgres'), 'coproduce');
    databaseUrl = server.url('coproduce');
    stopEmbedded = () => server.stop();
  }
  // A database restart breaks connections: say so, and let the pool replace them.
  const onConnectionError = (err: Error) => log.warn({ err }, 'database connection lost; it will be replaced');
  const database = connect(databaseUrl, { connectTimeoutMs: config.dbConnectTimeoutMs, onConnectionError });
  try {
    const applied = await migrate(database.pool);
    if (applied.length) log.info({ applied }, 'applied migrations');
    const outboxDir = path.join(config.dataDir, 'outbox');
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, replyTo: config.mailReplyTo, outboxDir });
    // Services need the queue to send email, and the hourly clean-up needs services: bound late.
    const late: { services?: Services; metrics?: Metrics } = {};
    const jobs = await startJobs({
      databaseUrl,
      connectTimeoutMs: config.dbConnectTimeoutMs,
      onConnectionError,
      work: opts.work,
      log: log.child({ component: 'jobs' }),
      onJobFailed: (queue) => late.metrics?.jobFailed(queue),
      cleanup: async () => {
        await late.services?.auth.removeExpired();
        await late.services?.stories.removeOldMailReplies();
        // Meeting papers due to go out, and reminders for actions coming due.
        await late.services?.boards.sweep();
      },
    });
    const { sessionSecret, signingKey } = await loadSecrets(config.dataDir, {
      sessionSecret: config.sessionSecret,
      signingKey: config.signingKey,
    });
    // Listens beside the pool; public pages are simply not cached until it has connected.
    const changes = startChangeFeed(databaseUrl, { connectTimeoutMs: config.dbConnectTimeoutMs, onError: onConnectionError });
    const metricsOn = config.metrics.token !== undefined || config.metrics.port !== undefined;
    const metrics = metricsOn ? createMetrics({ pool: database.pool, jobDepth: () => jobs.depth() }) : undefined;
    late.metrics = metrics;
    const services = createServices({
      db: database.db,
      config,
      jobs,
      mailer,
      secret: sessionSecret,
      signingKey,
      outboxDir,
      log,
      emailsCounted: metrics && { sent: metrics.emailSent, failed: metrics.emailFailed },
    });
    late.services = services;
    await jobs.work<{ emailId: string }>(EMAIL_QUEUE, (data) => services.email.deliver(data.emailId), {
      pollingIntervalSeconds: 0.5,
      batchSize: 5,
    });
    await jobs.work<{ registrationId: string }>(REMINDER_QUEUE, (data) => services.registrations.sendReminder(data.registrationId));
    await jobs.work<{ questionId: string; force?: boolean }>(THEMES_QUEUE, async (data) => {
      await services.results.runThemes(data.questionId, { force: data.force });
    });
    await jobs.work<{ chatId: string }>(CHAT_FOLLOW_UP_QUEUE, (data) => services.conversations.sendFollowUp(data.chatId));
    await jobs.work<{ conversationId: string }>(CONVERSATION_THEMES_QUEUE, (data) => services.conversations.runThemes(data.conversationId));
    // Stories emailed in: the mailbox is read every IMAP_POLL_SECONDS, one read at a time.
    const stopMailbox = opts.work && config.imapUrl ? services.stories.watchMailbox(config.imapPollSeconds) : () => Promise.resolve();
    let seeded = false;
    if (opts.seed && config.demo) {
      seeded = await seedDemoData({
        people: services.people,
        consents: services.consents,
        events: services.events,
        registrations: services.registrations,
        evaluation: { forms: services.forms, results: services.results, eventReport: services.eventReport },
        programmes: {
          forms: services.forms,
          programmes: services.programmes,
          cohorts: services.cohorts,
          certificates: services.certificates,
        },
        conversations: { conversations: services.conversations, stories: services.stories },
        boards: { boards: services.boards },
        changes: { changes: services.changes },
        payments: { payments: services.payments, boardsLookup: services.boardsLookup },
        isEmpty: async () => (await services.people.count()) === 0,
      });
      if (seeded) log.info('added demo data: demo accounts and people, all marked as demo');
    }
    return {
      databaseUrl,
      database,
      jobs,
      changes,
      services,
      metrics,
      async ready() {
        const [db, queue] = await Promise.all([
          services.databaseIsUp(),
          jobs.depth().then(
            () => true,
            () => false,
          ),
        ]);
        return { database: db, jobs: queue };
      },
      log,
      sessionSecret,
      seeded,
      async stop() {
        await stopMailbox().catch((err: unknown) => log.error({ err }, 'stopping the mailbox reader'));
        await jobs.stop().catch((err) => log.error({ err }, 'stopping the job queue'));
        await changes.stop();
        mailer.close();
        await database.close().catch(() => undefined);
        await stopEmbedded();
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    await stopEmbedded();
    throw err;
  }
}
