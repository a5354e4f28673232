import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { rootDir } from './paths.ts';

/**
 * The hashes of the inline scripts pages may run: only nhsuk's one line that marks the page as
 * having JavaScript, read from the template itself so an upgrade of nhsuk-frontend cannot break
 * it silently. Hashes rather than a per-request nonce: the page's bytes do not change from one
 * visitor to the next, so a public page can be cached whole (plugins/page-cache.ts).
 */
export function inlineScriptHashes(): string[] {
  const template = readFileSync(path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk/template.njk'), 'utf8');
  const scripts = [...template.matchAll(/<script\b[^>]*>([^<]+)<\/script>/g)].map((m) => m[1]!);
  if (!scripts.length) throw new Error('nhsuk-frontend template.njk has no inline script: check the CSP in plugins/security.ts');
  return scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
}

/** Security headers, and a CSP allowing our own scripts and nhsuk's inline line by its hash. */
export async function registerSecurity(app: FastifyInstance, opts: { https: boolean }) {
  await app.register(helmet, {
    contentSecurityPolicy: false, // set below
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  // Pages and API answers may carry personal data (access needs, names, PDFs of labels): no
  // browser or proxy keeps a copy. Static assets and public pages set their own caching.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${inlineScriptHashes().join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', csp);
  });
}
