import { readFileSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { adminRoutes } from './modules/admin/admin-routes.ts';
import { accountRoutes } from './modules/account/account-routes.ts';
import { buildOpenApi } from './modules/api/openapi.ts';
import { eventsApiRoutes } from './modules/api/events-api-routes.ts';
import { peopleApiRoutes } from './modules/api/people-api-routes.ts';
import { formsApiRoutes } from './modules/api/forms-api-routes.ts';
import { programmesApiRoutes } from './modules/api/programmes-api-routes.ts';
import { cohortRoutes } from './modules/programmes/cohort-routes.ts';
import { memberRoutes } from './modules/programmes/member-routes.ts';
import { programmesManageRoutes } from './modules/programmes/programmes-manage-routes.ts';
import { programmesPublicRoutes } from './modules/programmes/programmes-public-routes.ts';
import { pageFeedbackRoutes } from './modules/feedback/page-feedback-routes.ts';
import { answerRoutes } from './modules/forms/answer-routes.ts';
import { formsManageRoutes } from './modules/forms/forms-manage-routes.ts';
import { reportRoutes } from './modules/forms/report-routes.ts';
import { checkInRoutes } from './modules/events/checkin-routes.ts';
import { eventsManageRoutes } from './modules/events/events-manage-routes.ts';
import { eventsPublicRoutes } from './modules/events/events-public-routes.ts';
import { auditRoutes } from './modules/audit/audit-routes.ts';
import { authRoutes } from './modules/auth/auth-routes.ts';
import { homeRoutes } from './modules/home/home-routes.ts';
import { peopleRoutes } from './modules/people/people-routes.ts';
import { registerAccess } from './plugins/access.ts';
import { registerErrorHandlers } from './plugins/errors.ts';
import { registerPublicRateLimits } from './plugins/rate-limits.ts';
import { registerSecurity } from './plugins/security.ts';
import './plugins/types.ts';
import { createViewEnvironment, registerViews, rootDir, srcDir } from './plugins/views.ts';
import { registerWebSession } from './plugins/web-session.ts';
import type { Services } from './services.ts';

function stylesheetWithoutRemoteFonts(): string {
  const original = readFileSync(path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'), 'utf8');
  return original.replace(/@font-face\{[^}]*\}/g, '').replace(/\/\*# sourceMappingURL=[^*]*\*\//, '');
}

export interface AppDeps {
  config: Config;
  services: Services;
  sessionSecret: string;
  /** Where the request log goes (standard output unless given; tests read it). */
  logStream?: { write(line: string): void };
}

/**
 * The request log names the path, never the query: sign-in, cancel, invitation and email-change
 * links carry their tokens there. Headers with credentials are redacted too.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>, stream?: AppDeps['logStream']) {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
    },
  };
}

/** The one composition root for HTTP: plugins, then each feature's routes with its services. */
export async function buildApp({ config, services, sessionSecret, logStream }: AppDeps): Promise<FastifyInstance> {
  const https = config.publicUrl.startsWith('https://');
  const app = Fastify({
    logger: loggerOptions(config, logStream),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await registerSecurity(app, { https });
  await registerPublicRateLimits(app, { perMinute: config.publicPostLimitPerMinute });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(fastifyStatic, {
    root: path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk'),
    prefix: '/nhsuk/',
    allowedPath: (p) => /\.(js|map)$/.test(p) && !p.includes('..'),
    maxAge: '1d',
  });
  // nhsuk-frontend's stylesheet loads the Frutiger font from an NHS server. We serve it without
  // that @font-face: no request leaves for a third party, and the font's licence is for NHS use.
  const css = stylesheetWithoutRemoteFonts();
  app.get('/static/nhsuk-frontend.css', { config: { access: 'public', api: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(css),
  );
  await app.register(fastifyStatic, {
    root: path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk/assets'),
    prefix: '/assets/',
    decorateReply: false,
    maxAge: '7d',
  });
  await app.register(fastifyStatic, { root: path.join(srcDir, 'public'), prefix: '/static/', decorateReply: false, maxAge: '1h' });

  registerViews(app, createViewEnvironment(config), config.demo);
  // Who may use a route is checked before the CSRF token, so a denied route answers the same
  // (404 or 403) whatever form its request came from.
  registerAccess(app, { authService: services.auth });
  const session = registerWebSession(app, { secret: sessionSecret, secure: https, authService: services.auth });
  registerErrorHandlers(app);

  homeRoutes(app, { db: services.db, demoAccounts: services.demoAccounts, emailTrouble: services.email.countTroubled });
  authRoutes(app, { auth: services.auth, session, demo: config.demo, smtp: !!config.smtpUrl, linkMinutes: config.signIn.linkMinutes, mailIsFailing: services.email.mailIsFailing });
  accountRoutes(app, { people: services.people, consents: services.consents });
  peopleRoutes(app, { people: services.people, consents: services.consents });
  auditRoutes(app, { audit: services.audit });
  adminRoutes(app, { auth: services.auth, email: services.email, emailRetryHours: Math.round(config.emailRetry.windowMs / 3_600_000), outboxDir: path.join(config.dataDir, 'outbox'), showOutbox: config.demo });
  eventsPublicRoutes(app, { events: services.events, registrations: services.registrations, registrationsRepo: services.repositories.registrations, db: services.db });
  eventsManageRoutes(app, { events: services.events, registrations: services.registrations, reports: services.eventReports, people: services.people });
  checkInRoutes(app, { events: services.events, registrations: services.registrations, reports: services.eventReports });
  peopleApiRoutes(app, { people: services.people });
  eventsApiRoutes(app, { db: services.db, events: services.events, registrations: services.registrations, registrationsRepo: services.repositories.registrations });
  answerRoutes(app, { forms: services.forms });
  formsManageRoutes(app, { forms: services.forms, results: services.results, events: services.events, publicUrl: config.publicUrl });
  reportRoutes(app, { reports: services.eventReport, orgName: config.branding.orgName });
  pageFeedbackRoutes(app, { db: services.db });
  const programmeDeps = { programmes: services.programmes, cohorts: services.cohorts, certificates: services.certificates };
  programmesPublicRoutes(app, programmeDeps);
  programmesManageRoutes(app, { programmes: services.programmes, forms: services.forms });
  cohortRoutes(app, programmeDeps);
  memberRoutes(app, programmeDeps);
  programmesApiRoutes(app, { programmes: services.programmes, cohorts: services.cohorts, certificates: services.certificates, events: services.events, registrations: services.registrations });
  formsApiRoutes(app, { forms: services.forms, results: services.results, reports: services.eventReport, people: services.people });

  const openApi = buildOpenApi(config.publicUrl);
  app.get('/api/openapi.json', { config: { access: 'public', api: true } }, async () => openApi);

  return app;
}
