/**
 * `npm run build`: compiles the server (src/, without its tests) to JavaScript in dist/ with
 * tsconfig.build.json, and copies beside it, in the same layout, every file the server reads at
 * run time: Nunjucks templates (src/views, src/modules/<module>/views), static files
 * (src/public), SQL migrations (src/db/migrations) and the themes worker (.mjs). `node
 * dist/server.js` then runs with plain Node; node_modules stays at the project root.
 *
 * The build is made in a folder beside the target and swapped in only once it is complete, so a
 * failed build (a type error) leaves the previous one as it was. `dist/build-info.json` records a
 * fingerprint of the sources it was built from; `npm start` (scripts/build-check.mjs) compares it
 * with src/ now.
 *
 *   tsx scripts/build.ts [--out-dir <folder inside the project>]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');

interface BuildCheck {
  sourceFiles(root: string): string[];
  sourceStamp(root: string): string;
}
// Plain JavaScript (it runs before `npm start` without tsx), so imported without types.
const { sourceFiles, sourceStamp } = (await import(new URL('./build-check.mjs', import.meta.url).href)) as BuildCheck;

/**
 * A plain-JavaScript module in src/ (a worker thread, which does not get tsx's loader on Node 20)
 * loads TypeScript with tsx's `await tsImport('./x.ts', import.meta.url)`. In the build the
 * compiled `./x.js` sits beside it: import that instead, so the build needs no tsx at run time.
 */
function rewriteTsImports(text: string, file: string): string {
  let out = text.replace(
    /\btsImport\(\s*(['"])(\.\.?\/[^'"]+)\.ts\1\s*,\s*import\.meta\.url\s*\)/g,
    (_match, quote: string, name: string) => `import(${quote}${name}.js${quote})`,
  );
  const code = (t: string) => t.replace(/^\s*\/\/.*$/gm, '');
  if (!/\btsImport\(/.test(code(out))) out = out.replace(/^import\s*\{\s*tsImport\s*\}\s*from\s*['"]tsx\/esm\/api['"];?[ \t]*\r?\n/m, '');
  if (/\btsImport\b|['"]tsx(\/[^'"]*)?['"]/.test(code(out)))
    throw new Error(
      `${path.relative(root, file)} still needs tsx after the build's rewrite: load TypeScript with \`await tsImport('./name.ts', import.meta.url)\`, which the build turns into \`await import('./name.js')\`.`,
    );
  return out;
}

function typescriptCompiler(): string {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new Error(
      'The build needs TypeScript, a dev dependency: run `npm ci` (not `--omit=dev`), `npm run build`, then `npm prune --omit=dev` if you want to drop the dev dependencies.',
    );
  }
}

async function build(outDir: string, opts: { quiet?: boolean } = {}): Promise<void> {
  const started = performance.now();
  const target = path.resolve(outDir);
  if (!target.startsWith(root + path.sep))
    throw new Error(`The build must go inside the project (${root}), where node_modules is: not ${target}`);
  if (target === srcDir || srcDir.startsWith(target + path.sep) || target.startsWith(srcDir + path.sep))
    throw new Error(`The build cannot go in or around src/: ${target}`);
  const partial = `${target}.partial-${process.pid}`;
  await fs.rm(partial, { recursive: true, force: true });
  // Taken before compiling: a source edited during the build makes this build out of date.
  const sources = sourceStamp(root);
  const files = sourceFiles(root);
  try {
    const tsc = spawnSync(process.execPath, [typescriptCompiler(), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', partial], {
      cwd: root,
      stdio: 'inherit',
    });
    if (tsc.status !== 0) throw new Error(`TypeScript reported errors (exit code ${tsc.status ?? tsc.signal}): nothing was built.`);

    let copied = 0;
    // Everything in src/ that is not TypeScript (compiled above) or a test: templates, static
    // files, migrations, the worker.
    for (const name of files.filter((f) => !/\.[cm]?ts$/.test(f))) {
      const file = path.join(srcDir, name);
      const to = path.join(partial, name);
      await fs.mkdir(path.dirname(to), { recursive: true });
      if (file.endsWith('.mjs')) await fs.writeFile(to, rewriteTsImports(await fs.readFile(file, 'utf8'), file));
      else await fs.copyFile(file, to);
      copied++;
    }
    if (!existsSync(path.join(partial, 'server.js'))) throw new Error('The compiler wrote no server.js: check tsconfig.build.json.');

    const info = { sources, builtAt: new Date().toISOString(), node: process.version };
    await fs.writeFile(path.join(partial, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);

    // Swap the new build in: the old one is moved aside first and removed last.
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) await fs.rename(target, old);
    await fs.rename(partial, target);
    await fs.rm(old, { recursive: true, force: true });
    if (!opts.quiet)
      console.log(
        `Built ${path.relative(root, target) || '.'}/ in ${((performance.now() - started) / 1000).toFixed(1)} s (${copied} templates, static files and migrations copied). Start it with \`npm start\` or \`node ${path.relative(root, path.join(target, 'server.js'))}\`.`,
      );
  } finally {
    await fs.rm(partial, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: path.join(root, 'dist') } } });
build(values['out-dir']!).catch((err: unknown) => {
  console.error(`Build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
