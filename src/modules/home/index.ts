import type { RegisterModule } from '../module.ts';
import { homeRoutes } from './home-routes.ts';

/** The home page, the staff home page ("Your work"), the accessibility statement and privacy notice, and /health. */
export const homeModule: RegisterModule = (app, { services }) => {
  homeRoutes(app, {
    databaseIsUp: services.databaseIsUp,
    demoAccounts: services.demoAccounts,
    emailTrouble: services.email.countTroubled,
    work: services.work,
  });
};
