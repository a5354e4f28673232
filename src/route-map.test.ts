import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from './config.ts';
import { routeMap } from './route-map.ts';

test('npm run cli -- routes prints every route with who may use it and its module, without a database', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coproduce-routes-'));
  try {
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      DEMO: 'false',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
    };
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'routes'], {
      env,
      cwd: path.resolve(import.meta.dirname, '..'),
    });
    const lines = stdout.trim().split('\n');
    const routes = await routeMap(loadConfig(env));
    assert.equal(lines.length, routes.length);
    for (const r of routes) {
      const line = lines.find((l) => l.split(/\s+/)[0] === r.method && l.split(/\s+/)[1] === r.url);
      assert.ok(line, `${r.method} ${r.url} is listed`);
      assert.equal(line.trim().split(/\s+/).at(-1), r.module);
    }
    const person = lines.find((l) => /^GET\s+\/api\/v1\/people\/:id\s/.test(l));
    assert.match(person ?? '', /\sadmin,staff\s+people$/, 'the People API is staff-only and served by the people module');
    assert.ok(
      routes.every((r) => r.module !== 'app' || !r.url.startsWith('/api/v1/')),
      'every API route belongs to a module',
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
