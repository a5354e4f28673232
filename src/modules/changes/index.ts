import type { RegisterModule } from '../module.ts';
import { changesApiRoutes } from './changes-api-routes.ts';
import { changesManageRoutes } from './changes-manage-routes.ts';
import { changesPublicRoutes } from './changes-public-routes.ts';

/** "You said, we did": what people told us, what changed because of it, and where they said it. */
export const changesModule: RegisterModule = (app, { services }) => {
  const deps = { changes: services.changes };
  changesPublicRoutes(app, deps);
  changesManageRoutes(app, deps);
  changesApiRoutes(app, deps);
};
