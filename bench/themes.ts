/**
 * Themes against human judgement and the clock (`BENCH_ONLY=themes npm run bench`, and part of
 * the full run). Quality: normalised mutual information (NMI) and purity between the themes found
 * and the labels people gave real NHS Friends and Family Test comments (themes-samples.ts), with
 * the number of themes chosen as it is in the product. Speed: 500 and 50,000 answers, each in a
 * fresh process so its peak memory is its own, against reading the same answers with the
 * language model alone (the floor: every method must at least do that).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { agreement } from '../src/modules/forms/themes/agreement.ts';
import { findThemes, OTHER_COMMENTS } from '../src/modules/forms/themes/find-themes.ts';
import { readLabelled, standardSamples } from './themes-samples.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;

function quality() {
  return standardSamples().map((sample) => {
    const started = performance.now();
    const themes = findThemes(sample.texts);
    const ms = Math.round(performance.now() - started);
    const found = new Array<number>(sample.texts.length).fill(-1);
    themes.forEach((t, c) => t.members.forEach((m) => (found[m.index] = c)));
    const { nmi, purity } = agreement(found, sample.labels);
    const again = findThemes(sample.texts);
    return {
      sample: sample.name,
      categories: sample.categories,
      answers: sample.texts.length,
      themes: themes.filter((t) => t.label !== OTHER_COMMENTS).length,
      nmi: round(nmi),
      purity: round(purity),
      largestShare: round(Math.max(...themes.map((t) => t.members.length)) / sample.texts.length),
      otherComments: themes.find((t) => t.label === OTHER_COMMENTS)?.members.length ?? 0,
      unplaced: found.filter((f) => f < 0).length,
      sameTwice: JSON.stringify(again) === JSON.stringify(themes),
      ms,
      labels: themes.map((t) => `${t.label} (${t.members.length})`),
    };
  });
}

/** One measurement in a fresh process: `node --import tsx bench/themes-speed.ts <answers> <mode>`. */
async function speed(answers: number, mode: 'themes' | 'read') {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'bench/themes-speed.ts'), String(answers), mode], {
    cwd: root,
    maxBuffer: 10 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { answers: number; mode: string; seconds: number; peakMemoryMiB: number };
}

export async function benchThemes(machine: unknown) {
  readLabelled(); // fail early if the labelled data is missing
  const samples = quality();
  const mean = (kind: string) => {
    const of = samples.filter((s) => s.sample.startsWith(kind));
    return round(of.reduce((n, s) => n + s.nmi, 0) / of.length);
  };
  const timings = [];
  for (const answers of [500, 50_000]) timings.push({ ...(await speed(answers, 'themes')), floor: await speed(answers, 'read') });
  const report = {
    benchmark: 'themes',
    date: new Date().toISOString(),
    machine,
    quality: {
      bar: 'NMI >= 0.5 against human labels; no theme over ~35% of answers unless they share one subject; same answers, same themes',
      meanNmi: { subjects: mean('subjects'), randomHandfuls: mean('handful') },
      samples,
    },
    speed: timings,
  };
  await fs.mkdir(path.join(root, 'bench/results'), { recursive: true });
  const file = path.join(root, 'bench/results/themes.json');
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.table(
    samples.map((s) => ({
      sample: s.sample,
      answers: s.answers,
      themes: s.themes,
      NMI: s.nmi,
      purity: s.purity,
      'largest share': s.largestShare,
      'same twice': s.sameTwice,
    })),
  );
  console.log(`Mean NMI: subjects ${report.quality.meanNmi.subjects}, random handfuls ${report.quality.meanNmi.randomHandfuls}`);
  console.table(
    timings.map((t) => ({ answers: t.answers, seconds: t.seconds, 'peak MiB': t.peakMemoryMiB, 'reading only, s': t.floor.seconds })),
  );
  console.log(`Written to ${path.relative(root, file)}`);
}
