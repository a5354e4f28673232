import type { RegisterModule } from '../module.ts';
import { auditRoutes } from './audit-routes.ts';

/** The audit log, read by staff. */
export const auditModule: RegisterModule = (app, { services }) => {
  auditRoutes(app, { audit: services.audit });
};
