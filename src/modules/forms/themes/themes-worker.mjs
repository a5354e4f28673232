// Runs in a worker thread (see analyse.ts): finds themes and posts them back. Plain JavaScript,
// because a worker does not inherit tsx's loader on Node 20; tsImport loads the TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { findThemes } = await tsImport('./find-themes.ts', import.meta.url);
parentPort.postMessage(findThemes(workerData.texts, { subjects: workerData.subjects }));
