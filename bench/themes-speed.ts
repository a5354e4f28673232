/** One timing for bench/themes.ts, in a process of its own: `<answers> themes|read`. */
import { findThemes } from '../src/modules/forms/themes/find-themes.ts';
import { answerReader } from '../src/modules/forms/themes/text.ts';
import { readLabelled } from './themes-samples.ts';

const answers = Number(process.argv[2] ?? 500);
const mode = process.argv[3] === 'read' ? 'read' : 'themes';
const comments = [...readLabelled().values()].flat();
// Real comments, repeated as needed: 3,060 of them make up 50,000 answers 16 times over.
const texts = Array.from({ length: answers }, (_, i) => comments[(i * 7919) % comments.length]!);
const started = performance.now();
if (mode === 'read') texts.forEach(answerReader());
else findThemes(texts);
const seconds = Math.round((performance.now() - started) / 100) / 10;
console.log(JSON.stringify({ answers, mode, seconds, peakMemoryMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
