import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { safeEqual } from '../lib/tokens.ts';
import type { Metrics } from '../metrics.ts';
import { bearerToken } from './access.ts';

/**
 * What runs a service needs beside the pages: is the process alive, can it do its work, and how it
 * is doing. `/health/live` says only that the process answers (a restart will not help otherwise);
 * `/health/ready` that the database and the job queue can be reached (a load balancer sends no
 * requests until then); `/metrics` in Prometheus's format, with METRICS_TOKEN as a bearer token,
 * or alone on METRICS_PORT, or not at all.
 */
export function registerOperations(
  app: FastifyInstance,
  deps: {
    config: Pick<Config, 'metrics' | 'host'>;
    metrics: Metrics | undefined;
    ready: () => Promise<{ database: boolean; jobs: boolean }>;
  },
) {
  const { metrics } = deps;
  const route = { config: { access: 'public' as const, api: true } };

  app.get('/health/live', route, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/health/ready', route, async (_request, reply) => {
    const { database, jobs } = await deps.ready();
    const body = {
      status: database && jobs ? 'ok' : 'unavailable',
      database: database ? 'ok' : 'unreachable',
      jobs: jobs ? 'ok' : 'unreachable',
    };
    return reply
      .status(database && jobs ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });

  // Without METRICS_TOKEN or METRICS_PORT the runtime counts nothing, and requests are not timed.
  if (!metrics) return;

  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern, never the URL: ids in URLs would make a series per record.
    const pattern = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, pattern, reply.statusCode, reply.elapsedTime / 1000);
  });

  const token = deps.config.metrics.token;
  if (token) {
    app.get('/metrics', route, async (request, reply) => {
      const sent = bearerToken(request) ?? '';
      if (!sent || !safeEqual(sent, token))
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .type('text/plain')
          .send('The metrics need METRICS_TOKEN: Authorization: Bearer <token>\n');
      return reply
        .type(metrics.registry.contentType)
        .header('cache-control', 'no-store')
        .send(await metrics.registry.metrics());
    });
  }

  const port = deps.config.metrics.port;
  if (port !== undefined) {
    // A port of its own, for a network only Prometheus reaches: nothing else is served there.
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Only /metrics is served on this port\n');
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(text),
        (err: unknown) => {
          app.log.error({ err }, 'metrics could not be collected');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics could not be collected\n');
        },
      );
    });
    app.addHook('onListen', async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, deps.config.host, () => resolve());
      });
      app.log.info({ port }, 'metrics served on their own port');
    });
    app.addHook('onClose', async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  }
}
