import type { RegisterModule } from '../module.ts';

/** Placeholder: registers the changes module's pages and API. */
export const changesModule: RegisterModule = (app, { services }) => {
  void app;
  void services.changes;
};
