import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from '../db/change-feed.ts';
import { createByteBoundedCache } from '../lib/byte-bounded-cache.ts';
import { chooseEncoding, compressBody } from './assets.ts';

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
  bytes: number;
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
  const entries = createByteBoundedCache<Entry>(maxBytes);
  const remove = (key: string) => {
    entries.delete(key);
    stats.bytes = entries.bytes;
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
    stats.hits++;
    request.pageCache = null;
    return sendKept(request, reply, entry);
  });

  app.decorate('pageCacheKeep', (request: FastifyRequest, html: string): Entry | null => {
    const at = request.pageCache;
    // A change arrived while the page was being made: it may show the old state, so not kept.
    if (!at || at.generation !== feed.generation || !feed.live) return null;
    const body = Buffer.from(html);
    const entry: Entry = { generation: at.generation, storedAt: Date.now(), body, bytes: body.length, etag: etagOf(body), encoded: {} };
    if (entries.set(at.key, entry)) stats.stored++;
    stats.bytes = entries.bytes;
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
  entry.encoded[encoding] ??= compressBody(entry.body, encoding, { best: false });
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
