import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type RouteEntry } from './app.ts';
import type { Config } from './config.ts';
import { connect } from './db/client.ts';
import { createLogger } from './logger.ts';
import { createMailer } from './modules/email/mailer.ts';
import { createServices } from './services.ts';

/**
 * Every route with who may use it and the module that serves it, read from the app as it is
 * built. Nothing here reaches the database: the pool is made but never used.
 */
export async function routeMap(config: Config): Promise<RouteEntry[]> {
  const database = connect('postgres://route-map@127.0.0.1:1/none');
  const log = createLogger({ ...config, logLevel: 'silent' });
  const outboxDir = path.join(os.tmpdir(), 'coproduce-route-map');
  const services = createServices({
    db: database.db,
    config,
    jobs: { enqueue: async () => undefined },
    mailer: createMailer({ from: config.mailFrom, outboxDir }),
    secret: 'route-map',
    signingKey: randomBytes(32).toString('base64url'),
    outboxDir,
    log,
  });
  const app = await buildApp({ config, services, sessionSecret: 'route-map', log });
  await app.ready();
  const routes = [...app.routeMap];
  await app.close();
  await database.close();
  return routes;
}

/** One line per route: method, path, access, module; columns aligned for reading. */
export function formatRouteMap(routes: RouteEntry[]): string {
  const rows = routes.map((r) => [
    r.method,
    r.url,
    r.access === undefined ? '(static)' : typeof r.access === 'string' ? r.access : r.access.join(','),
    r.module,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n');
}
