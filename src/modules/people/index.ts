import type { RegisterModule } from '../module.ts';
import { peopleApiRoutes } from './people-api-routes.ts';
import { peopleRoutes } from './people-routes.ts';

/** People: staff pages and the People API. */
export const peopleModule: RegisterModule = (app, { services }) => {
  peopleRoutes(app, { people: services.people, consents: services.consents });
  peopleApiRoutes(app, { people: services.people });
};
