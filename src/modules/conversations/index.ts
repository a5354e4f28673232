import type { RegisterModule } from '../module.ts';
import { conversationsApiRoutes } from './conversations-api-routes.ts';
import { conversationsManageRoutes } from './conversations-manage-routes.ts';
import { conversationsPublicRoutes } from './conversations-public-routes.ts';

/** Conversations: set questions that teams talk through, their chat records, pledges and what leaders see. */
export const conversationsModule: RegisterModule = (app, { services, config }) => {
  const deps = { conversations: services.conversations, config };
  conversationsPublicRoutes(app, deps);
  conversationsManageRoutes(app, deps);
  conversationsApiRoutes(app, deps);
};
