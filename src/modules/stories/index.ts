import type { RegisterModule } from '../module.ts';
import { storiesApiRoutes } from './stories-api-routes.ts';
import { storiesAuthorRoutes } from './stories-author-routes.ts';
import { storiesManageRoutes } from './stories-manage-routes.ts';
import { storiesPublicRoutes } from './stories-public-routes.ts';

/** Personal stories: sent in by form, email, staff or the API; moderated; published with consent; withdrawn at once. */
export const storiesModule: RegisterModule = (app, { services }) => {
  const deps = { stories: services.stories };
  storiesPublicRoutes(app, deps);
  storiesAuthorRoutes(app, deps);
  storiesManageRoutes(app, deps);
  storiesApiRoutes(app, deps);
};
