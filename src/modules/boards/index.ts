import type { RegisterModule } from '../module.ts';

/** Placeholder: registers the boards module's pages and API. */
export const boardsModule: RegisterModule = (app, { services }) => {
  void app;
  void services.boards;
};
