import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from '../db/change-feed.ts';
import { chooseEncoding } from './assets.ts';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const HTML = 'text/html; charset=utf-8';
// Any cache (a browser's, a CDN's) may keep an anonymous public page but must ask each time
// whether it is still current, which the ETag answers with a 304. A signed-in answer is never
// kept (plugins/security.ts sets no-store): `vary: cookie` stops a cache that ignores our
// cookies handing the anonymous page to someone who has one.
export const PUBLIC_PAGE_CACHE_CONTROL = 'public, no-cache';
const VARY = 'accept-encoding, cookie';

interface Entry {
  generation: number;
  storedAt: number;
  body: Buffer;
  etag: string;
  encoded: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

export interface PageCacheOptions {
  feed?: ChangeFeed;
  /** What the kept pages may hold in all, in bytes. */
  maxBytes?: number;
  /** The longest a page is kept even with no change: bounds what depends on the clock (a session passing). */
  maxAgeMs?: number;
}

export interface PageCacheStats {
  hits: number;
  stored: number;
  entries: number;
  bytes: number;
}

/**
 * Public pages (`config.publicPage`) for visitors who are not signed in, kept rendered in this
 * process until the database says what they show has changed (db/change-feed.ts), so a
 * programme shared on social media renders once per change rather than once per visitor.
 * Never for a signed-in person: they are not looked up here, and what they are shown is not
 * kept. Keyed by the whole URL (the query changes the page); bounded by bytes, oldest out first.
 */
export function registerPageCache(app: FastifyInstance, opts: PageCacheOptions): PageCacheStats {
  const stats: PageCacheStats = { hits: 0, stored: 0, entries: 0, bytes: 0 };
  app.decorateRequest('pageCache', null);
  const feed = opts.feed;
  if (!feed) return stats;
  const maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const entries = new Map<string, Entry>();

  const remove = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    stats.bytes -= e.body.length;
    stats.entries = entries.size;
  };

  // After the session is read (web-session.ts), so `request.person` is known.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !request.routeOptions.config?.publicPage || request.person || !feed.live) return;
    const key = request.url;
    request.pageCache = { key, generation: feed.generation };
    const entry = entries.get(key);
    if (!entry) return;
    if (entry.generation !== feed.generation || Date.now() - entry.storedAt > maxAgeMs) return remove(key);
    // Most recently used last: the first key is the one to drop when full.
    entries.delete(key);
    entries.set(key, entry);
    stats.hits++;
    request.pageCache = null;
    return sendKept(request, reply, entry);
  });

  app.decorate('pageCacheKeep', (request: FastifyRequest, html: string): Entry | null => {
    const at = request.pageCache;
    // A change arrived while the page was being made: it may show the old state, so not kept.
    if (!at || at.generation !== feed.generation || !feed.live) return null;
    const body = Buffer.from(html);
    const entry: Entry = { generation: at.generation, storedAt: Date.now(), body, etag: etagOf(body), encoded: {} };
    if (body.length > maxBytes / 8) return entry;
    remove(at.key);
    entries.set(at.key, entry);
    stats.bytes += body.length;
    stats.stored++;
    for (const oldest of entries.keys()) {
      if (stats.bytes <= maxBytes) break;
      remove(oldest);
    }
    stats.entries = entries.size;
    return entry;
  });
  return stats;
}

declare module 'fastify' {
  interface FastifyInstance {
    pageCacheKeep?: (request: FastifyRequest, html: string) => Entry | null;
  }
}

const etagOf = (body: Buffer) => `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

const matches = (header: string | undefined, etag: string) =>
  !!header && header.split(',').some((t) => t.trim() === etag || t.trim() === etag.slice(2));

async function sendKept(request: FastifyRequest, reply: FastifyReply, entry: Entry) {
  reply.header('content-type', HTML).header('cache-control', PUBLIC_PAGE_CACHE_CONTROL).header('vary', VARY).header('etag', entry.etag);
  if (matches(request.headers['if-none-match'], entry.etag)) return reply.status(304).send();
  const encoding = entry.body.length >= 1024 ? chooseEncoding(request.headers['accept-encoding']) : null;
  if (!encoding) return reply.send(entry.body);
  entry.encoded[encoding] ??=
    encoding === 'br'
      ? brotli(entry.body, {
          params: { [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_QUALITY]: 6 },
        })
      : gzip(entry.body);
  return reply.header('content-encoding', encoding).send(await entry.encoded[encoding]);
}

/**
 * Sends a rendered page; a public page seen by someone not signed in is kept for the next
 * visitor and answered with its ETag (304 when the browser already has it).
 */
export function sendPage(request: FastifyRequest, reply: FastifyReply, html: string): FastifyReply {
  if (!request.pageCache || reply.statusCode !== 200) return reply.type(HTML).send(html);
  // A token in a shared page would be one visitor's given to the next: refused loudly, so a
  // test of the page fails rather than a visitor's form.
  if (html.includes('name="_csrf"'))
    throw new Error(`${request.routeOptions.url} is a public page but its template printed a CSRF token for a visitor not signed in`);
  const entry = request.server.pageCacheKeep?.(request, html);
  if (!entry) return reply.type(HTML).send(html);
  reply.header('cache-control', PUBLIC_PAGE_CACHE_CONTROL).header('vary', VARY).header('etag', entry.etag);
  if (matches(request.headers['if-none-match'], entry.etag)) return reply.status(304).send();
  return reply.type(HTML).send(html);
}
