import type { RegisterModule } from '../module.ts';
import { eventsApiRoutes } from './events-api-routes.ts';
import { checkInRoutes } from './checkin-routes.ts';
import { eventsManageRoutes } from './events-manage-routes.ts';
import { eventsPublicRoutes } from './events-public-routes.ts';

/** Events and festivals: the programme, registration, running the day, and the Events API. */
export const eventsModule: RegisterModule = (app, { services, fragments }) => {
  eventsPublicRoutes(app, { events: services.events, registrations: services.registrations });
  eventsManageRoutes(app, {
    events: services.events,
    registrations: services.registrations,
    reports: services.eventReports,
    people: services.people,
    fragments,
  });
  checkInRoutes(app, { events: services.events, registrations: services.registrations });
  eventsApiRoutes(app, { events: services.events, registrations: services.registrations });
};
