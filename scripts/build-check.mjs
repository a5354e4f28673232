// Run before `npm start` (prestart), with plain Node: is dist/ built from the sources src/ holds
// now? dist/build-info.json records a fingerprint (SHA-256 over every source file's path and
// content, tests left out, and the build's own settings), written by scripts/build.ts.
//
// - Up to date: nothing to do (a few tens of milliseconds).
// - Missing or out of date, NODE_ENV=production: stops with a message. Production never compiles
//   at start: build when you deploy (`npm run build`).
// - Missing or out of date otherwise (the quick start, `npm ci && npm start` on a fresh clone):
//   builds first (`npm run build`, a few tens of seconds), then the server starts.
// - No src/ (a deployment of dist/ alone, with package.json and node_modules): dist/ is used as it is.
//
// Plain JavaScript so that it starts in milliseconds, without tsx; scripts/build.ts imports
// `sourceFiles` and `sourceStamp` from here so that both agree on what the build is made of.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Tests and their helpers stay out of the build (tsconfig.build.json excludes them too). */
export const isTestFile = (name) => /\.test\.[cm]?[jt]s$/.test(name) || /-test-support\.[cm]?ts$/.test(name);

/** Every file of src/ the build is made from, sorted, as paths relative to src/ with `/`. */
export function sourceFiles(root) {
  const srcDir = path.join(root, 'src');
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !isTestFile(entry.name)) found.push(path.relative(srcDir, full).split(path.sep).join('/'));
    }
  };
  walk(srcDir);
  return found.sort();
}

/** What the build's output depends on besides src/. */
const BUILD_SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts', 'scripts/build-check.mjs'];

/** The fingerprint of the sources: changes when any source file or build setting does. */
export function sourceStamp(root) {
  const hash = createHash('sha256');
  const add = (name, file) => {
    hash.update(`${name}\0`);
    hash.update(existsSync(file) ? readFileSync(file) : '(none)');
    hash.update('\0');
  };
  for (const name of BUILD_SETTINGS) add(name, path.join(root, name));
  for (const name of sourceFiles(root)) add(`src/${name}`, path.join(root, 'src', name));
  return hash.digest('hex');
}

/** `missing`, `stale` or `fresh`: dist/ against the sources now (`fresh` if there are none to compare with). */
export function buildState(root, outDir = path.join(root, 'dist')) {
  if (!existsSync(path.join(outDir, 'server.js'))) return 'missing';
  if (!existsSync(path.join(root, 'src'))) return 'fresh';
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(path.join(outDir, 'build-info.json'), 'utf8')).sources;
  } catch {
    return 'stale';
  }
  return recorded === sourceStamp(root) ? 'fresh' : 'stale';
}

/** `node scripts/build-check.mjs [--out-dir <build>]` (default dist/). */
function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: path.join(root, 'dist') } } });
  const outDir = path.resolve(values['out-dir']);
  const state = buildState(root, outDir);
  if (state === 'fresh') return 0;
  const build = path.relative(root, outDir) || '.';
  const why = state === 'missing' ? `${build}/ has no build yet` : `src/ has changed since ${build}/ was built`;
  if (process.env.NODE_ENV === 'production') {
    process.stderr.write(
      `Coproduce cannot start: ${why}. With NODE_ENV=production, \`npm start\` runs the build and never compiles: ` +
        'run `npm run build` when you deploy (it needs the dev dependencies: `npm ci && npm run build`, then `npm prune --omit=dev` if you wish).\n',
    );
    return 1;
  }
  if (!existsSync(path.join(root, 'src'))) {
    process.stderr.write(`Coproduce cannot start: ${why}, and there is no src/ to build it from.\n`);
    return 1;
  }
  process.stdout.write(`Building Coproduce first (${why})…\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/build.ts'), '--out-dir', outDir], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
