import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { TooManyRequestsError } from '../lib/validation.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every public route that writes (registering, applying, answering a form, page feedback,
 * checking a credential, confirming an email change) is limited per IP address and per route,
 * without each route having to remember: a route may still set its own `config.rateLimit`.
 * Counts live in this process's memory; behind a load balancer each process counts its own.
 */
export async function registerPublicRateLimits(app: FastifyInstance, opts: { perMinute: number }) {
  // Before the plugin's own onRoute hook, which reads `config.rateLimit`.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = route.config;
    if (!config || config.access !== 'public' || config.rateLimit !== undefined || !methods.some((m) => WRITES.has(m))) return;
    route.config = { ...config, rateLimit: { max: opts.perMinute, timeWindow: 60_000 } };
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsError(`Too many tries from your connection. Wait ${context.after}, then try again.`),
  });
}
