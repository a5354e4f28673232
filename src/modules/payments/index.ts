import type { RegisterModule } from '../module.ts';

/** Placeholder: registers the payments module's pages and API. */
export const paymentsModule: RegisterModule = (app, { services }) => {
  void app;
  void services.payments;
};
