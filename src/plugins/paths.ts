import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The `src` folder, and the project folder above it. */
export const srcDir = path.resolve(here, '..');
export const rootDir = path.resolve(srcDir, '..');
