import type { RegisterModule } from '../module.ts';
import { accountRoutes } from './account-routes.ts';

/** A person's own account: their details, consents, their data and its erasure. */
export const accountModule: RegisterModule = (app, { services }) => {
  accountRoutes(app, { people: services.people, consents: services.consents, registrations: services.registrations });
};
