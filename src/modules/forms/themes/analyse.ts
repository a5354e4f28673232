import { Worker } from 'node:worker_threads';
import type { Theme } from './find-themes.ts';
import type { SubjectSet } from './labels.ts';

const ENTRY = new URL('./themes-worker.mjs', import.meta.url);

export type AnalyseThemes = (texts: string[], opts?: { subjects?: SubjectSet }) => Promise<Theme[]>;

/**
 * Finds themes in a worker thread, so the web server keeps answering while 50,000 answers are
 * read (about 20 seconds of one core). The worker loads the word vectors and the language model
 * itself, and ends when it has answered.
 */
export const analyseInWorker: AnalyseThemes = (texts, opts = {}) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { texts, subjects: opts.subjects }, execArgv: [] });
    let answered = false;
    worker.once('message', (themes: Theme[]) => {
      answered = true;
      resolve(themes);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`The themes worker stopped (exit code ${code}) before it answered`));
    });
  });
