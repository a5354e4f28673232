import type { RegisterModule } from '../module.ts';
import { privacyRoutes } from './privacy-routes.ts';

/** "Your data" as a page and a PDF a person can read (the JSON download is on the account page). */
export const privacyModule: RegisterModule = (app, { config, services }) => {
  privacyRoutes(app, { people: services.people, branding: config.branding });
};
