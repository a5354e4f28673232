/**
 * `npm run startup-time`: how long Coproduce takes from process start until `GET /health`
 * answers 200, on the embedded PostgreSQL with a live service's settings (no demo data, which
 * production refuses), started from TypeScript through tsx
 * (`tsx src/server.ts`, what `npm start` ran before the build) and from the build (`node
 * dist/server.js`, what `npm start` runs now, after its check that dist/ matches src/, which is
 * timed on its own).
 *
 * - second start: the usual case, a restart on a data folder that already has its cluster,
 *   and migrations (one start of each command prepares its own folder first; these
 *   are not counted);
 * - first start: a new data folder every run, so the time includes creating the PostgreSQL
 *   cluster and every migration.
 *
 * The commands take turns, run after run, so that a busy machine slows them alike; each run is
 * stopped with SIGTERM and has stopped (PostgreSQL included) before the next one starts. Figures
 * are medians, with the fastest and slowest run. NODE_ENV=production, as a deployment runs.
 *
 *   npm run startup-time -- [--runs 7] [--first-runs 3] [--json file]
 *
 * It builds dist/ first if that is missing or older than src/.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/net.ts';

const root = path.resolve(import.meta.dirname, '..');

interface Command {
  name: string;
  file: string;
  args: string[];
}

const COMMANDS: Command[] = [
  { name: 'tsx src/server.ts', file: path.join(root, 'node_modules/.bin/tsx'), args: ['src/server.ts'] },
  { name: 'node dist/server.js', file: process.execPath, args: ['dist/server.js'] },
];

/** Resolves once GET /health answers 200; rejects if the process ends first or after `timeoutMs`. */
function waitForHealth(port: number, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (exited()) return reject(new Error('the server stopped before it answered'));
      if (Date.now() > deadline) return reject(new Error(`no 200 from /health within ${timeoutMs / 1000} s`));
      const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 2000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else setTimeout(attempt, 20);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => setTimeout(attempt, 20));
    };
    attempt();
  });
}

/** Starts `command` on `dataDir`, times it to the first 200 from /health, stops it; milliseconds. */
async function startOnce(command: Command, dataDir: string): Promise<number> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO: 'false',
    EMAIL_TO_OUTBOX: 'true',
    PUBLIC_URL: 'https://coproduce.invalid',
  };
  for (const name of ['DATABASE_URL', 'EMBEDDED_PG_PORT', 'SMTP_URL']) delete env[name];
  const started = performance.now();
  // A process group of its own, so that tsx's own process and the server both get the SIGTERM.
  const child = spawn(command.file, command.args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      hasExited = true;
      resolve(code);
    }),
  );
  try {
    await waitForHealth(port, () => hasExited, 180_000);
    return performance.now() - started;
  } catch (err) {
    throw new Error(`${command.name}: ${(err as Error).message}\n${output}`);
  } finally {
    const wasRunning = !hasExited;
    if (wasRunning) process.kill(-child.pid!, 'SIGTERM');
    const code = await exited;
    if (wasRunning && code !== 0) console.warn(`${command.name} stopped with exit code ${code}:\n${output}`);
    await groupGone(child.pid!);
  }
}

/** Waits until no process of the group is left (the server, under npm or tsx, has stopped PostgreSQL and ended). */
async function groupGone(pgid: number) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  console.warn(`processes of group ${pgid} were still running a minute after SIGTERM`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Result {
  command: string;
  runs: number[];
  median: number;
  min: number;
  max: number;
}

async function measure(label: string, runs: number, dataDirFor: (command: Command, run: number) => Promise<string>): Promise<Result[]> {
  const times = new Map(COMMANDS.map((c) => [c.name, [] as number[]]));
  for (let run = 0; run < runs; run++) {
    for (const command of COMMANDS) {
      const ms = await startOnce(command, await dataDirFor(command, run));
      times.get(command.name)!.push(ms);
      console.log(`${label}, run ${run + 1}/${runs}: ${command.name.padEnd(20)} ${seconds(ms)}`);
    }
  }
  return COMMANDS.map((c) => {
    const ms = times.get(c.name)!;
    return {
      command: c.name,
      runs: ms.map(Math.round),
      median: Math.round(median(ms)),
      min: Math.round(Math.min(...ms)),
      max: Math.round(Math.max(...ms)),
    };
  });
}

function table(title: string, results: Result[]) {
  console.log(`\n${title}`);
  console.log(`| command | median | fastest | slowest | runs |\n|---|---|---|---|---|`);
  for (const r of results)
    console.log(`| \`${r.command}\` | ${seconds(r.median)} | ${seconds(r.min)} | ${seconds(r.max)} | ${r.runs.length} |`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      'first-runs': { type: 'string', default: '3' },
      json: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const firstRuns = Number(values['first-runs']);

  // The build the "after" figures are about: made now if dist/ is missing or older than src/.
  const check = spawnSync(process.execPath, [path.join(root, 'scripts/build-check.mjs')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'development' },
  });
  if (check.status !== 0) process.exit(check.status ?? 1);

  // `npm start` runs this first (prestart): its cost comes on top of `node dist/server.js`.
  const checks: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [path.join(root, 'scripts/build-check.mjs')], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    checks.push(performance.now() - started);
  }
  const buildCheckMs = Math.round(median(checks));

  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)),
  };
  console.log(
    `${machine.cpus} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`,
  );

  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-startup-'));
  try {
    // Second start: each command's own data folder, prepared by one start that is not counted.
    const prepared = new Map<string, string>();
    const second = await measure('second start', runs, async (command) => {
      let dir = prepared.get(command.name);
      if (!dir) {
        dir = await fs.mkdtemp(path.join(scratch, 'data-'));
        const ms = await startOnce(command, dir);
        console.log(`(first start of ${command.name} on its folder: ${seconds(ms)}, not counted)`);
        prepared.set(command.name, dir);
      }
      return dir;
    });
    const first = firstRuns > 0 ? await measure('first start', firstRuns, () => fs.mkdtemp(path.join(scratch, 'fresh-'))) : [];

    table(`Second start (cluster and migrations already there), median of ${runs}:`, second);
    if (first.length) table(`First start (new data folder: cluster, every migration), median of ${firstRuns}:`, first);
    console.log(`\n\`npm start\` first checks the build (scripts/build-check.mjs, plain Node): ${buildCheckMs} ms more, median of 10.`);
    console.log(`${machine.cpus} cores, ${machine.cpu}, Node ${machine.node}; load average at the start ${machine.loadAverage.join(' ')}`);
    if (values.json)
      await fs.writeFile(
        values.json,
        `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, second, first, buildCheckMs }, null, 2)}\n`,
      );
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
