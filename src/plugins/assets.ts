import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rootDir, srcDir } from './paths.ts';

/**
 * The stylesheets and scripts every page loads, served under fingerprinted names
 * (`/static/v/nhsuk-frontend.<hash>.css`) that never change, so browsers keep them for a year,
 * and pre-compressed with brotli and gzip once per process rather than on every request. The
 * old names (`/static/nhsuk-frontend.css`) still work, with a short cache, for pages already open.
 */
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const NHSUK = path.join(rootDir, 'node_modules/nhsuk-frontend/dist/nhsuk');
const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600';

interface Source {
  file: string;
  type: string;
  /** Old (unversioned) URL, kept working. */
  legacyUrl: string;
  transform?: (text: string) => string;
}

const SOURCES: Record<string, Source> = {
  // nhsuk-frontend's stylesheet loads the Frutiger font from an NHS server. We serve it without
  // that @font-face: no request leaves for a third party, and the font's licence is for NHS use.
  'nhsuk-frontend.css': {
    file: path.join(NHSUK, 'nhsuk-frontend.min.css'),
    type: CSS,
    legacyUrl: '/static/nhsuk-frontend.css',
    transform: (css) => css.replace(/@font-face\{[^}]*\}/g, '').replace(/\/\*# sourceMappingURL=[^*]*\*\//, ''),
  },
  'app.css': { file: path.join(srcDir, 'public/app.css'), type: CSS, legacyUrl: '/static/app.css' },
  'nhsuk-frontend.js': {
    file: path.join(NHSUK, 'nhsuk-frontend.min.js'),
    type: JS,
    legacyUrl: '/nhsuk/nhsuk-frontend.min.js',
    transform: (js) => js.replace(/\/\/# sourceMappingURL=\S+\s*$/, ''),
  },
  // The page script imports nhsuk-frontend's: by its fingerprinted name, so both are cached for good.
  'app.js': {
    file: path.join(srcDir, 'public/app.js'),
    type: JS,
    legacyUrl: '/static/app.js',
    transform: (js) =>
      js.replace(/(['"])\/nhsuk\/nhsuk-frontend\.min\.js\1/g, (_m, q: string) => `${q}${assetUrl('nhsuk-frontend.js')}${q}`),
  },
};

export type AssetName = keyof typeof SOURCES;

interface Asset {
  name: string;
  type: string;
  body: Buffer;
  hash: string;
  url: string;
  stamp: string;
  encoded: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

const cache = new Map<string, Asset>();

/** The asset as it is now: read once, and again only when its file changes (while developing). */
function assetOf(name: string): Asset | undefined {
  const source = SOURCES[name];
  if (!source) return undefined;
  // In production the files do not change under a running process: no look at the disk per page.
  const kept = cache.get(name);
  if (kept && process.env.NODE_ENV === 'production') return kept;
  const st = statSync(source.file);
  const stamp = `${st.mtimeMs}:${st.size}`;
  const cached = cache.get(name);
  if (cached && cached.stamp === stamp) return cached;
  const text = readFileSync(source.file, 'utf8');
  const body = Buffer.from(source.transform ? source.transform(text) : text);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  const asset: Asset = {
    name,
    type: source.type,
    body,
    hash,
    url: `/static/v/${name.slice(0, dot)}.${hash}${name.slice(dot)}`,
    stamp,
    encoded: {},
  };
  cache.set(name, asset);
  return asset;
}

/** The fingerprinted URL of a stylesheet or script, for the layout. */
export function assetUrl(name: string): string {
  const asset = assetOf(name);
  if (!asset) throw new Error(`No such asset: ${name}`);
  return asset.url;
}

/** Compressed once per process (at their best, in the thread pool) and kept. */
function encodedBody(asset: Asset, encoding: 'br' | 'gzip'): Promise<Buffer> {
  asset.encoded[encoding] ??= compressBody(asset.body, encoding, { best: true });
  return asset.encoded[encoding];
}

/**
 * A body compressed in the thread pool, for keeping: `best` for what is made once (assets),
 * otherwise a quicker setting for what is remade as the data changes (kept pages).
 */
export function compressBody(body: Buffer, encoding: 'br' | 'gzip', opts: { best: boolean }): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_QUALITY]: opts.best ? zlib.constants.BROTLI_MAX_QUALITY : 6,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : gzip(body, { level: opts.best ? zlib.constants.Z_BEST_COMPRESSION : zlib.constants.Z_DEFAULT_COMPRESSION });
}

/**
 * The first of `offered` the browser accepts (q=0 means "not this one"), or null: brotli, else
 * gzip, unless the caller can only offer one of them.
 */
export function chooseEncoding<E extends 'br' | 'gzip'>(
  header: string | string[] | undefined,
  offered: readonly E[] = ['br', 'gzip'] as E[],
): E | null {
  const accepted = new Map<string, number>();
  for (const part of String(header ?? '').split(',')) {
    const [raw, ...params] = part.trim().toLowerCase().split(';');
    const token = raw?.trim();
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(token, q === undefined ? 1 : Number(q));
  }
  const weight = (e: string) => accepted.get(e) ?? (accepted.has('*') ? accepted.get('*')! : 0);
  return offered.find((e) => weight(e) > 0) ?? null;
}

async function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) {
  const encoding = chooseEncoding(request.headers['accept-encoding']);
  const etag = `"${asset.hash}${encoding ? `-${encoding}` : ''}"`;
  reply.header('content-type', asset.type).header('cache-control', cacheControl).header('vary', 'accept-encoding').header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  if (!encoding) return reply.send(asset.body);
  return reply.header('content-encoding', encoding).send(await encodedBody(asset, encoding));
}

/** Starts compressing every asset now (production), so the first visitor does not wait. */
export function warmAssets() {
  for (const name of Object.keys(SOURCES)) {
    const asset = assetOf(name)!;
    void encodedBody(asset, 'br');
    void encodedBody(asset, 'gzip');
  }
}

export function registerAssets(app: FastifyInstance) {
  const byName = new Map(Object.keys(SOURCES).map((name) => [name, name]));
  // Already compressed here: the compression plugin leaves these alone.
  const options = { config: { access: 'public' as const, api: true }, compress: false as const };

  app.get<{ Params: { file: string } }>('/static/v/:file', options, async (request, reply) => {
    const match = /^(.+)\.([0-9a-f]{12})\.(css|js)$/.exec(request.params.file);
    const name = match ? byName.get(`${match[1]}.${match[3]}`) : undefined;
    const asset = name ? assetOf(name) : undefined;
    if (!match || !asset) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    // A page from before a deploy asks for the old version: it gets today's, but not for keeps.
    // no-cache: a shared cache must not keep today's file under yesterday's name.
    return send(request, reply, asset, match[2] === asset.hash ? IMMUTABLE : 'no-cache');
  });
  for (const name of Object.keys(SOURCES)) {
    app.get(SOURCES[name]!.legacyUrl, options, async (request, reply) => send(request, reply, assetOf(name)!, SHORT));
  }
}
