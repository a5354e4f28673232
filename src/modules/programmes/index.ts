import type { RegisterModule } from '../module.ts';
import { programmesApiRoutes } from './programmes-api-routes.ts';
import { cohortRoutes } from './cohort-routes.ts';
import { memberRoutes } from './member-routes.ts';
import { programmesManageRoutes } from './programmes-manage-routes.ts';
import { programmesPublicRoutes } from './programmes-public-routes.ts';
import { easyApplyRoutes } from './easy-apply-routes.ts';

/** Leadership programmes: applying, selection, cohorts, coaching, graduation and certificates. */
export const programmesModule: RegisterModule = (app, { services }) => {
  const deps = { programmes: services.programmes, cohorts: services.cohorts, certificates: services.certificates };
  programmesPublicRoutes(app, deps);
  easyApplyRoutes(app, deps);
  programmesManageRoutes(app, { programmes: services.programmes, forms: services.forms });
  cohortRoutes(app, deps);
  memberRoutes(app, deps);
  programmesApiRoutes(app, {
    programmes: services.programmes,
    cohorts: services.cohorts,
    certificates: services.certificates,
    events: services.events,
    registrations: services.registrations,
  });
};
