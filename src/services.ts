import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Db } from './db/client.ts';
import type { JobQueue, Jobs } from './jobs/jobs.ts';
import { createAuditRepository } from './modules/audit/audit-repository.ts';
import { createAuditService } from './modules/audit/audit-service.ts';
import { createPageFeedbackRepository } from './modules/feedback/page-feedback-repository.ts';
import { createPageFeedbackService } from './modules/feedback/page-feedback-service.ts';
import { createAuthRepository } from './modules/auth/auth-repository.ts';
import { createAuthService } from './modules/auth/auth-service.ts';
import { createOidcService } from './modules/auth/oidc-service.ts';
import { createConsentsRepository } from './modules/consents/consents-repository.ts';
import { createConsentsService } from './modules/consents/consents-service.ts';
import { DEMO_ACCOUNTS } from './modules/demo/demo-data.ts';
import { emailComposerRegistry, type EmailRequest } from './modules/email/email-requests.ts';
import { createEmailRepository } from './modules/email/email-repository.ts';
import { createEmailService } from './modules/email/email-service.ts';
import type { Mailer, OutgoingEmail } from './modules/email/mailer.ts';
import { auditPersonalData } from './modules/audit/audit-privacy.ts';
import { authPersonalData } from './modules/auth/auth-privacy.ts';
import { consentsPersonalData } from './modules/consents/consents-privacy.ts';
import { emailPersonalData } from './modules/email/email-privacy.ts';
import { eventsPersonalData } from './modules/events/events-privacy.ts';
import { formsPersonalData } from './modules/forms/forms-privacy.ts';
import { peoplePersonalData } from './modules/people/people-privacy.ts';
import { personalDataRegistry } from './modules/privacy/personal-data.ts';
import { programmesPersonalData } from './modules/programmes/programmes-privacy.ts';
import { createPeopleRepository } from './modules/people/people-repository.ts';
import { createPeopleService } from './modules/people/people-service.ts';
import { createEventReportService } from './modules/forms/event-report-service.ts';
import { createFormsRepository } from './modules/forms/forms-repository.ts';
import { createFormsLookup, createFormsService } from './modules/forms/forms-service.ts';
import { createResultsRepository } from './modules/forms/results-repository.ts';
import { createResultsService } from './modules/forms/results-service.ts';
import { createEventReportsRepository } from './modules/events/event-reports-repository.ts';
import { createEventReportsService } from './modules/events/event-reports-service.ts';
import { createEventsRepository } from './modules/events/events-repository.ts';
import { createEventsLookup, createEventsService } from './modules/events/events-service.ts';
import { createRegistrationsRepository } from './modules/events/registrations-repository.ts';
import { createRegistrationsService } from './modules/events/registrations-service.ts';
import { createCertificatesService } from './modules/programmes/certificates-service.ts';
import { createCohortRepository } from './modules/programmes/cohort-repository.ts';
import { createCohortService } from './modules/programmes/cohort-service.ts';
import { signingKeyFromSeed } from './modules/programmes/credential.ts';
import { createProgrammesRepository } from './modules/programmes/programmes-repository.ts';
import { createProgrammesService } from './modules/programmes/programmes-service.ts';
import { conversationsPersonalData } from './modules/conversations/conversations-privacy.ts';
import { createConversationsRepository } from './modules/conversations/conversations-repository.ts';
import { createConversationsLookup, createConversationsService } from './modules/conversations/conversations-service.ts';
import { storiesPersonalData } from './modules/stories/stories-privacy.ts';
import { createStoriesRepository } from './modules/stories/stories-repository.ts';
import { createStoriesService } from './modules/stories/stories-service.ts';
import { createFileStore } from './lib/file-store.ts';
import { boardsPersonalData } from './modules/boards/boards-privacy.ts';
import { createBoardsLookup } from './modules/boards/boards-lookup.ts';
import { createBoardsService } from './modules/boards/boards-service.ts';
import { changesPersonalData } from './modules/changes/changes-privacy.ts';
import { paymentsPersonalData } from './modules/payments/payments-privacy.ts';
import { createChangesService } from './modules/changes/changes-service.ts';
import { createPaymentsService } from './modules/payments/payments-service.ts';
import { createWorkService } from './modules/home/work-service.ts';

/** Wires repositories into services. Everything a route needs comes from here. */
export function createServices(deps: {
  db: Db;
  config: Config;
  jobs: Pick<JobQueue, 'enqueue'>;
  mailer: Mailer;
  secret: string;
  signingKey: string;
  outboxDir: string;
  log: Logger;
  /** Emails sent and failed tries, counted for /metrics. */
  emailsCounted?: { sent(kind: string): void; failed(kind: string): void };
}) {
  const { db, config } = deps;
  const repositories = {
    people: createPeopleRepository(),
    consents: createConsentsRepository(),
    audit: createAuditRepository(),
    auth: createAuthRepository(),
    events: createEventsRepository(),
    registrations: createRegistrationsRepository(),
    eventReports: createEventReportsRepository(),
    forms: createFormsRepository(),
    results: createResultsRepository(),
    programmes: createProgrammesRepository(),
    cohort: createCohortRepository(),
    email: createEmailRepository(),
    pageFeedback: createPageFeedbackRepository(),
    conversations: createConversationsRepository(),
    stories: createStoriesRepository(),
  };
  const nameOf = (ids: string[]) => repositories.people.namesByIds(db, ids);
  const audit = createAuditService({ db, audit: repositories.audit, nameOf });
  // Every email is recorded and sent by the queue, composed from its ids when it goes.
  const email = createEmailService({
    db,
    config,
    emails: repositories.email,
    queue: deps.jobs,
    mailer: deps.mailer,
    compose: (r) => composeEmail(r),
    log: deps.log.child({ component: 'email' }),
    counted: deps.emailsCounted,
  });
  const jobs: Pick<Jobs, 'sendEmail' | 'enqueue'> = { enqueue: deps.jobs.enqueue, sendEmail: email.queue };
  // What the events and forms modules lend to others, so no module reaches another's repository.
  const eventsLookup = createEventsLookup({ events: repositories.events, reports: repositories.eventReports });
  const formsLookup = createFormsLookup({ forms: repositories.forms });
  const consents = createConsentsService({ db, consents: repositories.consents, audit });
  const people = createPeopleService({
    db,
    config,
    secret: deps.secret,
    people: repositories.people,
    audit,
    personalData: () => personalData,
    endAccess: repositories.auth.forgetCredentials,
    sendEmail: jobs.sendEmail,
  });
  const registrations = createRegistrationsService({
    db,
    config,
    linkSecret: deps.secret,
    events: repositories.events,
    registrations: repositories.registrations,
    people,
    peopleService: people,
    jobs,
    log: deps.log.child({ component: 'registrations' }),
  });
  const events = createEventsService({
    db,
    events: repositories.events,
    registrations: repositories.registrations,
    registrationsService: registrations,
    audit,
  });
  const eventReports = createEventReportsService({ db, reports: repositories.eventReports, audit });
  const results = createResultsService({
    db,
    forms: repositories.forms,
    results: repositories.results,
    jobs: deps.jobs,
    themesRefreshMinutes: config.themesRefreshMinutes,
    log: deps.log.child({ component: 'themes' }),
  });
  const forms = createFormsService({
    db,
    config,
    secret: deps.secret,
    forms: repositories.forms,
    people,
    events: eventsLookup,
    audit,
    jobs,
    // Themes are found without anyone asking: on closing a form, and as answers arrive.
    themes: { closed: (formId) => results.formClosed(formId), answered: (formId) => results.refreshThemesIfDue(formId) },
  });
  const eventReport = createEventReportService({
    db,
    events,
    eventReports,
    forms: repositories.forms,
    results,
    audit,
    // "What changed": read when a report is made, by which time `changes` (below) exists.
    whatChanged: (eventId) => changes.publishedForEvent(eventId),
  });
  const programmes = createProgrammesService({
    db,
    config,
    programmes: repositories.programmes,
    forms: formsLookup,
    people,
    peopleService: people,
    events,
    eventsLookup,
    audit,
    jobs,
  });
  const cohorts = createCohortService({
    db,
    programmes: repositories.programmes,
    cohort: repositories.cohort,
    events: eventsLookup,
    audit,
  });
  const certificates = createCertificatesService({
    db,
    config,
    key: signingKeyFromSeed(deps.signingKey),
    cohort: repositories.cohort,
    programmes: repositories.programmes,
    cohortService: cohorts,
    audit,
    people,
    jobs,
  });
  const conversationsLookup = createConversationsLookup({ db, conversations: repositories.conversations });
  const stories = createStoriesService({
    db,
    config,
    secret: deps.secret,
    stories: repositories.stories,
    conversations: conversationsLookup,
    people,
    audit,
    jobs,
    log: deps.log.child({ component: 'stories' }),
  });
  const conversations = createConversationsService({
    db,
    config,
    secret: deps.secret,
    conversations: repositories.conversations,
    audit,
    jobs,
    // The summary lists the stories people agreed to share, read when it is made.
    publishedStories: (conversationId) => stories.publishedIn(conversationId),
    // "What changed": read when a summary is made, by which time `changes` (below) exists.
    whatChanged: (conversationId) => changes.publishedForConversation(conversationId),
    log: deps.log.child({ component: 'conversations' }),
  });
  // Uploaded files (meeting papers, receipts): DATA_DIR/files, or the S3 bucket at S3_URL.
  const files = createFileStore({ dataDir: config.dataDir, s3: config.s3 });
  const boardsLookup = createBoardsLookup({ db });
  const boards = createBoardsService({
    db,
    config,
    secret: deps.secret,
    files,
    audit,
    jobs,
    log: deps.log.child({ component: 'boards' }),
    people,
    // Meetings reuse the venues events know, with their access facts.
    venues: eventsLookup,
  });
  // "You said, we did": sources are read through each module's lookup; people are told by email.
  const changes = createChangesService({
    db,
    config,
    audit,
    jobs,
    log: deps.log.child({ component: 'changes' }),
    forms: formsLookup,
    events: eventsLookup,
    conversations: conversationsLookup,
    stories,
    boards: boardsLookup,
    consents,
    people: { findById: (id) => people.findById(id) },
  });
  const payments = createPaymentsService({
    db,
    config,
    secret: deps.secret,
    files,
    audit,
    jobs,
    // Claims start from what the person attended: board meetings, event sessions, workshop days.
    people,
    boardsLookup,
    eventsLookup,
    log: deps.log.child({ component: 'payments' }),
  });
  const auth = createAuthService({ db, config, auth: repositories.auth, people, audit, secret: deps.secret, sendEmail: jobs.sendEmail });
  const oidc = createOidcService({
    db,
    config,
    auth: repositories.auth,
    openSession: auth.openSession,
    people,
    log: deps.log.child({ component: 'oidc' }),
  });
  // Every module's personal data, walked by "download your data" and by erasure. The people
  // row comes first in exports and is anonymised last.
  const personalData = personalDataRegistry([
    peoplePersonalData(repositories.people),
    consentsPersonalData(repositories.consents),
    auditPersonalData(),
    authPersonalData(repositories.auth),
    eventsPersonalData(),
    formsPersonalData({ respondentKey: forms.respondentKey }),
    programmesPersonalData({ programmes: repositories.programmes, cohort: repositories.cohort }),
    conversationsPersonalData(),
    storiesPersonalData(),
    boardsPersonalData(),
    changesPersonalData(),
    paymentsPersonalData({ files }),
    emailPersonalData(deps.outboxDir),
  ]);
  const emailComposers = emailComposerRegistry(
    people.composers,
    auth.composers,
    registrations.composers,
    forms.composers,
    programmes.composers,
    certificates.composers,
    conversations.composers,
    stories.composers,
    boards.composers,
    changes.composers,
    payments.composers,
  );
  // In demo mode without a mail server, the sign-in link is also printed, so a newcomer can sign in.
  const printLinks = config.demo && !config.smtpUrl;
  async function composeEmail(request: EmailRequest): Promise<OutgoingEmail | null> {
    const message = await emailComposers.compose(request);
    if (message && printLinks && message.kind === 'sign-in')
      deps.log.info(`Sign-in link for ${message.to}: ${/https?:\/\/\S+/.exec(message.text)?.[0]}`);
    return message;
  }

  return {
    db,
    repositories,
    personalData,
    composeEmail,
    email,
    people,
    consents,
    auth,
    oidc,
    events,
    registrations,
    eventReports,
    forms,
    results,
    eventReport,
    programmes,
    cohorts,
    certificates,
    audit,
    conversations,
    stories,
    files,
    boards,
    boardsLookup,
    changes,
    payments,
    pageFeedback: createPageFeedbackService({ db, feedback: repositories.pageFeedback }),
    /** The staff home page ("Your work"). */
    work: createWorkService({ db, people, payments }),
    nameOf,
    /** For /health: can the database be reached now? */
    async databaseIsUp() {
      try {
        await db.execute(sql`select 1`);
        return true;
      } catch {
        return false;
      }
    },
    async demoAccounts() {
      if (!config.demo) return [];
      const found = new Set(
        (
          await repositories.people.findDemoByEmails(
            db,
            DEMO_ACCOUNTS.map((a) => a.email),
          )
        ).map((p) => p.email),
      );
      return DEMO_ACCOUNTS.filter((a) => found.has(a.email)).map((a) => ({ email: a.email, role: a.role, name: a.name }));
    },
  };
}

export type Services = ReturnType<typeof createServices>;
