import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from '../db/change-feed.ts';
import { createByteBoundedCache } from '../lib/byte-bounded-cache.ts';
import { sha256 } from '../lib/tokens.ts';
import { chooseEncoding, compressBody } from './assets.ts';
import { CSRF_COOKIE } from './web-session.ts';

interface Entry {
  generation: number;
  storedAt: number;
  body: Buffer;
  bytes: number;
  type: string;
  encoding: string | undefined;
}

export interface ViewerCacheOptions {
  feed?: ChangeFeed;
  /** What the kept pages may hold in all, in bytes. */
  maxBytes?: number;
  /** The longest a page is kept even with no change: bounds what depends on the clock. */
  maxAgeMs?: number;
}

/**
 * A signed-in page (`config.keptForViewer`) kept for the one viewer who was shown it, until the
 * database says something it may show has changed (db/change-feed.ts): an organiser reloading
 * the registrations list on a busy check-in morning costs a look-up, not a render.
 *
 * Kept by everything the answer depends on: the session (by its hash), the browser's CSRF key
 * (the page's tokens are made from both), the URL and the encodings the browser accepts. So it is only
 * ever shown again to the same signed-in browser; nobody else's key can name it. It is looked
 * up after the session is checked and after the route's own access rule (a person signed out,
 * erased or given a lesser role is refused before this), and anything that changes a person
 * moves the feed on. An answer that sets a cookie, or is not a 200, is not kept; a handler may
 * refuse for one answer (`request.keptForViewer = false`), for a page that depends on the clock.
 */
export function registerViewerCache(app: FastifyInstance, opts: ViewerCacheOptions) {
  app.decorateRequest('keptForViewer', false);
  // How it is doing, for tests and metrics: pages answered from it, pages kept.
  const stats = { hits: 0, stored: 0 };
  app.decorate('viewerCacheStats', stats);
  const feed = opts.feed;
  if (!feed) return;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const entries = createByteBoundedCache<Entry>(opts.maxBytes ?? 32 * 1024 * 1024);
  const keys = new WeakMap<FastifyRequest, { key: string; generation: number }>();

  // After access is checked (plugins/access.ts runs in preValidation).
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' || !request.routeOptions.config?.keptForViewer || !request.person || !request.sessionId) return;
    if (!feed.live) return;
    const accepts = String(request.headers['accept-encoding'] ?? '');
    const key = [sha256(request.sessionId), request.cookies[CSRF_COOKIE] ?? '', request.url, accepts].join('\n');
    const entry = entries.get(key);
    if (entry && entry.generation === feed.generation && Date.now() - entry.storedAt <= maxAgeMs) {
      stats.hits++;
      return sendKept(reply, entry);
    }
    if (entry) entries.delete(key);
    request.keptForViewer = true;
    keys.set(request, { key, generation: feed.generation });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const at = keys.get(request);
    if (!at || !request.keptForViewer || reply.statusCode !== 200 || reply.hasHeader('set-cookie')) return payload;
    // A change arrived while the page was being made: it may show the old state.
    if (!feed.live || feed.generation !== at.generation) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const body = Buffer.from(payload);
    const encoding = reply.getHeader('content-encoding');
    const entry: Entry = {
      generation: at.generation,
      storedAt: Date.now(),
      body,
      bytes: body.length,
      type: String(reply.getHeader('content-type') ?? 'text/html; charset=utf-8'),
      encoding: encoding === undefined ? undefined : String(encoding),
    };
    if (entries.set(at.key, entry)) {
      stats.stored++;
      if (entry.encoding === 'gzip' && chooseEncoding(request.headers['accept-encoding'], ['br'])) void keepAsBrotli(at.key, entry);
    }
    return payload;
  });

  /**
   * The page was sent as gzip joined from kept pieces, the quickest to make; kept, it is worth
   * making smaller for the next look (a 500-row list: 23 KB as gzip, about half as brotli), in the
   * thread pool, replacing the gzip copy only if nothing has changed meanwhile.
   */
  async function keepAsBrotli(key: string, entry: Entry) {
    try {
      const html = await gunzip(entry.body);
      const body = await compressBody(html, 'br', { best: false });
      if (entries.get(key) !== entry || feed?.generation !== entry.generation) return;
      entries.set(key, { ...entry, body, bytes: body.length, encoding: 'br' });
    } catch {
      // The gzip copy stays: it is correct, only larger.
    }
  }
}

const gunzip = promisify(zlib.gunzip);

function sendKept(reply: FastifyReply, entry: Entry) {
  reply.type(entry.type).header('vary', 'accept-encoding, cookie');
  if (entry.encoding) reply.header('content-encoding', entry.encoding);
  return reply.send(entry.body);
}

declare module 'fastify' {
  interface FastifyInstance {
    viewerCacheStats: { hits: number; stored: number };
  }
  interface FastifyRequest {
    /** Whether this answer may be kept for its viewer (plugins/viewer-cache.ts); a handler may say no. */
    keptForViewer: boolean;
  }
}
