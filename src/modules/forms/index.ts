import type { RegisterModule } from '../module.ts';
import { formsApiRoutes } from './forms-api-routes.ts';
import { answerRoutes } from './answer-routes.ts';
import { formsManageRoutes } from './forms-manage-routes.ts';
import { formsResultsRoutes } from './forms-results-routes.ts';
import { reportRoutes } from './report-routes.ts';

/** Forms and evaluations: answering, results and themes, event reports, and the Forms API. */
export const formsModule: RegisterModule = (app, { config, services }) => {
  answerRoutes(app, { forms: services.forms });
  formsManageRoutes(app, { forms: services.forms, events: services.events, publicUrl: config.publicUrl });
  formsResultsRoutes(app, { forms: services.forms, results: services.results });
  reportRoutes(app, { reports: services.eventReport, orgName: config.branding.orgName });
  formsApiRoutes(app, { forms: services.forms, results: services.results, reports: services.eventReport, people: services.people });
};
