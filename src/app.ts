import path from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { ChangeFeed } from './db/change-feed.ts';
import { createFragmentCache } from './lib/fragment-cache.ts';
import { createLogger, type Logger } from './logger.ts';
import type { RegisterModule } from './modules/module.ts';
import { accountModule } from './modules/account/index.ts';
import { adminModule } from './modules/admin/index.ts';
import { auditModule } from './modules/audit/index.ts';
import { authModule } from './modules/auth/index.ts';
import { eventsModule } from './modules/events/index.ts';
import { feedbackModule } from './modules/feedback/index.ts';
import { formsModule } from './modules/forms/index.ts';
import { homeModule } from './modules/home/index.ts';
import { peopleModule } from './modules/people/index.ts';
import { privacyModule } from './modules/privacy/index.ts';
import { programmesModule } from './modules/programmes/index.ts';
import { conversationsModule } from './modules/conversations/index.ts';
import { storiesModule } from './modules/stories/index.ts';
import { boardsModule } from './modules/boards/index.ts';
import { changesModule } from './modules/changes/index.ts';
import { paymentsModule } from './modules/payments/index.ts';
import { registerAccess } from './plugins/access.ts';
import { registerAssets, warmAssets } from './plugins/assets.ts';
import { registerErrorHandlers } from './plugins/errors.ts';
import { registerPageCache } from './plugins/page-cache.ts';
import { registerPublicRateLimits } from './plugins/rate-limits.ts';
import { registerSecurity } from './plugins/security.ts';
import { registerUploads } from './plugins/uploads.ts';
import { checkedSerializer, registerOpenApi } from './plugins/openapi.ts';
import type { Access } from './plugins/types.ts';
import { createViewEnvironment, registerViews, rootDir, srcDir } from './plugins/views.ts';
import { registerViewerCache } from './plugins/viewer-cache.ts';
import { registerWebSession } from './plugins/web-session.ts';
import type { Services } from './services.ts';
import type { Runtime } from './runtime.ts';
import { registerOperations } from './plugins/operations.ts';

export interface AppDeps {
  config: Config;
  services: Services;
  sessionSecret: string;
  /** The process's logger; made from the config when not given. */
  log?: Logger;
  /** Changes to what public pages show; without it public pages are rendered every time. */
  changes?: ChangeFeed;
  /** Where the request log goes when the logger is made here (standard output unless given; tests read it). */
  logStream?: { write(line: string): void };
  /** The runtime's metrics and readiness check, for /metrics and /health/ready. */
  operations?: Pick<Runtime, 'metrics' | 'ready'>;
}

/** Each feature module, in the order its routes are registered. */
const MODULES: Record<string, RegisterModule> = {
  home: homeModule,
  auth: authModule,
  account: accountModule,
  people: peopleModule,
  privacy: privacyModule,
  audit: auditModule,
  admin: adminModule,
  events: eventsModule,
  forms: formsModule,
  feedback: feedbackModule,
  programmes: programmesModule,
  conversations: conversationsModule,
  stories: storiesModule,
  boards: boardsModule,
  changes: changesModule,
  payments: paymentsModule,
};

/** One line of the route map (`npm run cli -- routes`). */
export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
  module: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with who may use it and the module that serves it. */
    routeMap: RouteEntry[];
  }
}

/** The one composition root for HTTP: plugins, then each feature's routes with its services. */
export async function buildApp({
  config,
  services,
  sessionSecret,
  log,
  logStream,
  changes,
  operations,
}: AppDeps): Promise<FastifyInstance> {
  const https = config.publicUrl.startsWith('https://');
  const app = Fastify({
    // LOG_LEVEL=silent means no request logging at all, not a logger that discards each line.
    ...(config.logLevel === 'silent'
      ? { logger: false }
      : { loggerInstance: (log ?? createLogger(config, logStream)) as FastifyBaseLogger }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.decorate('routeMap', [] as RouteEntry[]);
  let registering = 'app';
  app.addHook('onRoute', (route) => {
    if (route.method !== 'HEAD')
      app.routeMap.push({ method: String(route.method), url: route.url, access: route.config?.access, module: registering });
  });
  await registerSecurity(app, { https });
  await registerPublicRateLimits(app, { perMinute: config.publicPostLimitPerMinute });
  // Pages, JSON and CSV go compressed to browsers that ask (brotli, else gzip); PDFs, images
  // and anything already encoded are left as they are.
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(fastifyStatic, {
    root: path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk'),
    prefix: '/nhsuk/',
    allowedPath: (p) => /\.(js|map)$/.test(p) && !p.includes('..'),
    maxAge: '1d',
  });
  // Stylesheets and scripts: fingerprinted names cached for a year, brotli and gzip made once.
  registerAssets(app);
  if (config.env === 'production') warmAssets();
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
  await registerUploads(app, { limitBytes: config.uploadLimitBytes, fieldLimitBytes: config.bodyLimitBytes });
  const session = registerWebSession(app, { secret: sessionSecret, secure: https, authService: services.auth, feed: changes });
  // After the session is known: only visitors who are not signed in are served kept pages.
  registerPageCache(app, { feed: changes });
  registerViewerCache(app, { feed: changes });
  registerErrorHandlers(app);
  registerOperations(app, {
    config,
    metrics: operations?.metrics,
    // An app built without a runtime (the route map) has no job queue to reach.
    ready: operations?.ready ?? (async () => ({ database: await services.databaseIsUp(), jobs: false })),
  });

  await registerOpenApi(app, { publicUrl: config.publicUrl });
  // Routes declare zod schemas for params, query, body and response; those schemas check requests,
  // shape responses and make the OpenAPI document.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(checkedSerializer);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const fragments = createFragmentCache(changes);
  for (const [name, register] of Object.entries(MODULES)) {
    registering = name;
    register(typed, { config, services, session, fragments });
  }

  return app;
}
