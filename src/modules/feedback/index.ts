import type { RegisterModule } from '../module.ts';
import { pageFeedbackRoutes } from './page-feedback-routes.ts';

/** "Is this page useful?" on every page. */
export const feedbackModule: RegisterModule = (app, { services }) => {
  pageFeedbackRoutes(app, { feedback: services.pageFeedback });
};
