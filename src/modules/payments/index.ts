import type { RegisterModule } from '../module.ts';
import { paymentsApiRoutes } from './payments-api-routes.ts';
import { paymentsManageRoutes } from './payments-manage-routes.ts';
import { paymentsRoutes } from './payments-routes.ts';

/** Paying people for their time: rates, claims prefilled from what people attended, staff decisions and finance's export. */
export const paymentsModule: RegisterModule = (app, { services, config }) => {
  const deps = { payments: services.payments, config };
  paymentsRoutes(app, deps);
  paymentsManageRoutes(app, deps);
  paymentsApiRoutes(app, deps);
};
