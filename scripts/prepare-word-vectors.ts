/**
 * Run by `npm install` (postinstall): reads the word-vector package's 307 MB JSON once into the
 * compact file themes load (src/modules/forms/themes/word-vectors.ts), so no run ever parses it.
 */
import fs from 'node:fs';
import { buildWordVectorFile, wordVectorFile } from '../src/modules/forms/themes/word-vectors.ts';

const file = wordVectorFile();
if (fs.existsSync(file)) console.log(`word vectors: ${file} is ready`);
else {
  const started = Date.now();
  buildWordVectorFile(file);
  console.log(`word vectors: wrote ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
