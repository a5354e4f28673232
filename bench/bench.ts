/**
 * `npm run bench`: requests per second of real pages against a bare Fastify route measured in
 * the same run, on the same machine, with the load generator (autocannon) in its own process.
 * Results go to bench/results/<name>.json. Set BENCH_SECONDS to change how long each run lasts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';

const run = promisify(execFile);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const root = path.resolve(import.meta.dirname, '..');

interface Measurement {
  name: string;
  url: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

async function measure(name: string, url: string): Promise<Measurement> {
  const bin = path.join(root, 'node_modules/.bin/autocannon');
  const { stdout } = await run(bin, ['-j', '-c', String(connections), '-d', String(seconds), url], { maxBuffer: 50 * 1024 * 1024 });
  const r = JSON.parse(stdout);
  return {
    name,
    url: new URL(url).pathname,
    requestsPerSecond: Math.round(r.requests.average),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main() {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-bench-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DEMO: 'true', LOG_LEVEL: 'silent', NODE_ENV: 'production', DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '' });
  const quiet = { info: () => undefined, error: () => undefined };
  const runtime = await startRuntime(config, { work: true, seed: true, log: quiet });
  const app = await buildApp({ config, services: runtime.services, sessionSecret: runtime.sessionSecret });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // The baseline: the same framework with nothing in it, in this process, under the same load.
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => 'ok');
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;

  try {
    const results = [
      await measure('bare Fastify route (baseline)', bareUrl),
      await measure('health check (one SQL query)', `${appUrl}/health`),
      await measure('home page (rendered from the database)', `${appUrl}/`),
    ];
    const baseline = results[0]!.requestsPerSecond;
    const report = {
      benchmark: 'foundation',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      settings: { seconds, connections, database: config.databaseUrl ? 'external' : 'embedded' },
      results: results.map((r) => ({ ...r, shareOfBaseline: Math.round((r.requestsPerSecond / baseline) * 1000) / 1000 })),
    };
    await fs.mkdir(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results/foundation.json');
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.table(report.results.map((r) => ({ name: r.name, 'req/s': r.requestsPerSecond, 'p50 ms': r.latencyP50Ms, 'p99 ms': r.latencyP99Ms, 'of baseline': r.shareOfBaseline, non2xx: r.non2xx })));
    console.log(`Written to ${path.relative(root, file)}`);
    if (results.some((r) => r.non2xx > 0 || r.errors > 0)) {
      console.error('Some requests failed: the figures above are not valid.');
      process.exitCode = 1;
    }
  } finally {
    await bare.close();
    await app.close();
    await runtime.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
