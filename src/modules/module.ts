import type { Config } from '../config.ts';
import type { FragmentCache } from '../lib/fragment-cache.ts';
import type { App } from '../plugins/types.ts';
import type { WebSession } from '../plugins/web-session.ts';
import type { Services } from '../services.ts';

export interface ModuleDeps {
  config: Config;
  services: Services;
  session: WebSession;
  /** Parts of pages kept until the database changes (lib/fragment-cache.ts). */
  fragments: FragmentCache;
}

/**
 * A feature module registers everything it serves, pages and API alike, from its index.ts. It
 * hands each route file only the services that file uses.
 */
export type RegisterModule = (app: App, deps: ModuleDeps) => void;
