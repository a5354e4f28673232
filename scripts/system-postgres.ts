/**
 * A second, separate PostgreSQL server for the tests: Debian's own `postgresql` package, started
 * in a temporary folder and reached only through a connection URL, as production reaches an
 * external database. It shows the code does not depend on the embedded build.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePortBetween } from '../test/net.ts';

export function findSystemPostgres(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin/postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

export interface SystemPostgres {
  url: (db?: string) => string;
  version: string;
  /** Stops the server as `pg_ctl stop -m fast` does (open connections are terminated). */
  stopServer(): Promise<void>;
  /** Starts it again on the same data folder and port. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSystemPostgres(binDir: string): Promise<SystemPostgres> {
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
    : {};
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-syspg-'));
  const data = path.join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = path.join(dir, 'pw');
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    await fs.chmod(dir, 0o711);
    await fs.chown(pwfile, ids.uid!, ids.gid!);
    await fs.mkdir(data, { mode: 0o700 });
    await fs.chown(data, ids.uid!, ids.gid!);
  }
  execFileSync(
    path.join(binDir, 'initdb'),
    ['-D', data, '-U', 'coproduce', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
    { ...ids, stdio: 'ignore' },
  );
  // Below the ephemeral range (see test/net.ts): a test that stops this server and starts it
  // again finds its port still free.
  const port = await freePortBetween(20_000, 24_999);
  const url = (db = 'postgres') => `postgres://coproduce:${password}@127.0.0.1:${port}/${db}`;
  const launch = () =>
    spawn(
      path.join(binDir, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        '-c',
        'fsync=off',
      ],
      { ...ids, stdio: 'ignore' },
    );
  let child = launch();
  const ready = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const c = new pg.Client({ connectionString: url() });
      c.on('error', () => undefined);
      try {
        await c.connect();
        const v = (await c.query('show server_version')).rows[0].server_version as string;
        await c.end();
        return v;
      } catch {
        await c.end().catch(() => undefined);
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('The system PostgreSQL did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const version = await ready();
  // SIGINT is PostgreSQL's fast shutdown: what `pg_ctl stop -m fast` and a managed failover do.
  const stopServer = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  return {
    url,
    version,
    stopServer,
    async startServer() {
      child = launch();
      await ready();
    },
    async stop() {
      await stopServer();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
