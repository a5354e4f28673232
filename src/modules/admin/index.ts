import path from 'node:path';
import type { RegisterModule } from '../module.ts';
import { adminRoutes } from './admin-routes.ts';

/** Organisation admin: API tokens, emails that could not be sent, the demo outbox. */
export const adminModule: RegisterModule = (app, { config, services }) => {
  adminRoutes(app, {
    auth: services.auth,
    email: services.email,
    emailRetryHours: Math.round(config.emailRetry.windowMs / 3_600_000),
    outboxDir: path.join(config.dataDir, 'outbox'),
    showOutbox: config.demo,
  });
};
