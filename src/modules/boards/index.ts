import type { RegisterModule } from '../module.ts';
import { boardsApiRoutes } from './boards-api-routes.ts';
import { boardsManageRoutes } from './boards-manage-routes.ts';
import { boardsPublicRoutes } from './boards-public-routes.ts';
import { meetingsManageRoutes } from './meetings-manage-routes.ts';

/** Co-production boards: members and their mix, meetings with papers sent ahead, attendance, minutes, decisions and actions. */
export const boardsModule: RegisterModule = (app, { services }) => {
  const deps = { boards: services.boards, people: services.people };
  boardsPublicRoutes(app, deps);
  boardsManageRoutes(app, deps);
  meetingsManageRoutes(app, deps);
  boardsApiRoutes(app, deps);
};
