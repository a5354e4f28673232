import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The folder the app runs from, holding `views/`, `modules/` (with their templates), `public/`
 * and `db/migrations/`: `src` under tsx, or the build (`dist`, from `npm run build`), which holds
 * copies of those files in the same layout beside the compiled JavaScript.
 */
export const srcDir = path.resolve(here, '..');

/**
 * The project folder (where package.json and node_modules are): the nearest folder above
 * `srcDir` with a package.json, so a build made elsewhere inside the project (the build test
 * writes one under node_modules/.cache) still finds node_modules; the parent of `srcDir` if none.
 */
export const rootDir = projectFolderAbove(srcDir) ?? path.resolve(srcDir, '..');

function projectFolderAbove(dir: string): string | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}
