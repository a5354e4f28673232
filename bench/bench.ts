/**
 * `npm run bench`: requests per second of real pages against a bare Fastify route measured in
 * the same run, on the same machine, with the load generator (autocannon) in its own process;
 * and a registration burst at one session against the bare SQL transaction that does the same
 * insert. Results go to bench/results/foundation.json and events.json; themes (quality against
 * human labels, and speed) to themes.json, see themes.ts; the personal-details scanner of stories
 * to stories.json, see stories-flags.ts. BENCH_SECONDS sets how
 * long each page run lasts; BENCH_REGISTRATIONS how many people register in the burst.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { randomToken, sha256 } from '../src/lib/tokens.ts';
import { benchStories } from './stories-flags.ts';
import { benchThemes } from './themes.ts';

const run = promisify(execFile);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
// Issue 16: a burst of 10,000 people at one session, zero overbooking, p99 under 250 ms.
const registrationsInBurst = Number(process.env.BENCH_REGISTRATIONS ?? 10_000);
const root = path.resolve(import.meta.dirname, '..');

interface Measurement {
  name: string;
  url: string;
  tool: 'wrk' | 'autocannon';
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * The load generator for pages: wrk (Debian's `wrk`, in C) when installed, else autocannon. On 2
 * cores autocannon's JavaScript parser is the limit for large pages (the registrations list of
 * 500 measured ~3,100 req/s with the server two-thirds idle, where wrk measured ~12,000), so
 * the figures would describe the client. BENCH_LOAD=autocannon forces autocannon. Every figure
 * and its baseline in one run come from the same tool, which the results name.
 */
const loadTool: 'wrk' | 'autocannon' = process.env.BENCH_LOAD !== 'autocannon' && !spawnSync('wrk', ['-v']).error ? 'wrk' : 'autocannon';

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  // A second's warm-up first, so the JIT and the connection pools are ready for both sides alike.
  await load(url, headers, 1);
  return { name, url: new URL(url).pathname, tool: loadTool, ...(await load(url, headers, seconds)) };
}

async function load(url: string, headers: Record<string, string>, forSeconds: number): Promise<Omit<Measurement, 'name' | 'url' | 'tool'>> {
  if (loadTool === 'wrk') {
    const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const { stdout } = await run('wrk', ['-t', '1', '-c', String(connections), '-d', `${forSeconds}s`, '--latency', ...headerArgs, url]);
    const ms = (label: string) => {
      const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
      if (!m) throw new Error(`wrk said no ${label} latency:\n${stdout}`);
      return Math.round(Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'] * 100) / 100;
    };
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    return {
      requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0)),
      latencyP50Ms: ms('50%'),
      latencyP99Ms: ms('99%'),
      non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
      errors: errors ? errors.slice(1).reduce((n, e) => n + Number(e), 0) : 0,
    };
  }
  const bin = path.join(root, 'node_modules/.bin/autocannon');
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const { stdout } = await run(bin, ['-j', '-c', String(connections), '-d', String(forSeconds), ...headerArgs, url], {
    maxBuffer: 50 * 1024 * 1024,
  });
  const r = JSON.parse(stdout);
  return {
    requestsPerSecond: Math.round(r.requests.average),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main() {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  // BENCH_ONLY=themes: theme quality against human labels, and its speed; no database needed.
  if (process.env.BENCH_ONLY === 'themes') return benchThemes(machine);
  // BENCH_ONLY=stories: how long finding personal details in a story holds the event loop; no database needed.
  if (process.env.BENCH_ONLY === 'stories') return benchStories(machine);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-bench-'));
  // Production's code paths (templates and assets kept in memory) with the demo's data in the
  // database: a live service refuses demo data at start-up, so the setting is made here.
  const config = {
    ...loadConfig({
      ...process.env,
      DATA_DIR: dataDir,
      DEMO: 'true',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
    }),
    env: 'production' as const,
  };
  const runtime = await startRuntime(config, { work: true, seed: true });
  const app = await buildApp({ config, services: runtime.services, sessionSecret: runtime.sessionSecret, changes: runtime.changes });
  await runtime.changes.ready();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // The baseline: the same framework with nothing in it, in this process, under the same load.
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => 'ok');
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;

  try {
    // BENCH_ONLY=forms runs just the feedback benchmarks (they take longest to set up);
    // BENCH_ONLY=events just the programme page and the registration burst.
    if (process.env.BENCH_ONLY === 'events') {
      const baseline = (await measure('bare Fastify route (baseline)', bareUrl)).requestsPerSecond;
      await benchEvents({
        runtime,
        appUrl,
        bareUrl,
        machine,
        baseline,
      });
      return;
    }
    if (process.env.BENCH_ONLY === 'forms') {
      await benchForms({
        runtime,
        appUrl,
        machine,
      });
      return;
    }
    const results = [
      await measure('bare Fastify route (baseline)', bareUrl),
      await measure('health check (one SQL query)', `${appUrl}/health`),
      await measure('home page, not signed in (kept until what it shows changes)', `${appUrl}/`),
    ];
    const baseline = results[0]!.requestsPerSecond;
    const report = {
      benchmark: 'foundation',
      date: new Date().toISOString(),
      machine,
      settings: { seconds, connections, database: config.databaseUrl ? 'external' : 'embedded' },
      results: results.map((r) => ({ ...r, shareOfBaseline: Math.round((r.requestsPerSecond / baseline) * 1000) / 1000 })),
      // Issue 16: the home page (for a visitor not signed in) at 25% or more of the bare route.
      homePageTargetShare: 0.25,
    };
    await fs.mkdir(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results/foundation.json');
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.table(
      report.results.map((r) => ({
        name: r.name,
        'req/s': r.requestsPerSecond,
        'p50 ms': r.latencyP50Ms,
        'p99 ms': r.latencyP99Ms,
        'of baseline': r.shareOfBaseline,
        non2xx: r.non2xx,
      })),
    );
    console.log(`Written to ${path.relative(root, file)}`);
    if (results.some((r) => r.non2xx > 0 || r.errors > 0)) {
      console.error('Some requests failed: the figures above are not valid.');
      process.exitCode = 1;
    }
    await benchEvents({ runtime, appUrl, bareUrl, machine, baseline });
    await benchForms({ runtime, appUrl, machine });
    await benchThemes(machine);
    await benchStories(machine);
  } finally {
    await bare.close();
    await app.close();
    await runtime.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** The programme page of a 40-session event, and a burst of registrations at one session. */
async function benchEvents(ctx: {
  runtime: Awaited<ReturnType<typeof startRuntime>>;
  appUrl: string;
  bareUrl: string;
  machine: unknown;
  baseline: number;
}) {
  const { services, database } = ctx.runtime;
  const pool = database.pool;
  const admin = (await pool.query(`select id from people where role = 'admin' limit 1`)).rows[0].id as string;
  const actor = { personId: admin, role: 'admin' as const };
  const start = new Date(Date.now() + 60 * 86_400_000);
  const event = await services.events.create(actor, {
    title: 'Benchmark festival',
    summary: 'Forty sessions',
    startsAt: start,
    endsAt: new Date(start.getTime() + 5 * 86_400_000),
  });
  for (let i = 0; i < 40; i++) {
    const at = new Date(start.getTime() + Math.floor(i / 8) * 86_400_000 + (i % 8) * 3_600_000);
    await services.events.addSession(actor, event.id, {
      title: `Workshop ${i + 1}`,
      theme: ['Digital', 'Leadership', 'Workforce', 'Getting started'][i % 4],
      startsAt: at,
      endsAt: new Date(at.getTime() + 3_000_000),
      format: i % 2 ? 'online' : 'in_person',
      capacity: 30,
      joinUrl: i % 2 ? 'https://meet.example.org/bench' : undefined,
      venue:
        i % 2
          ? undefined
          : {
              name: 'Town Hall',
              address: '1 Market Place',
              postcode: 'OX1 1AA',
              stepFree: true,
              hearingLoop: true,
              accessibleToilet: true,
            },
    });
  }
  await services.events.publish(actor, event.id);
  const programme = await measure('programme page, 40 sessions', `${ctx.appUrl}/events/${event.id}`);

  // A signed-in organiser's list of 500 registrations: rendered for them every time, never kept.
  const listEvent = await services.events.create(actor, {
    title: 'Benchmark conference',
    summary: 'Five hundred people',
    startsAt: start,
    endsAt: new Date(start.getTime() + 8 * 3_600_000),
  });
  const listSession = await services.events.addSession(actor, listEvent.id, {
    title: 'Plenary',
    startsAt: start,
    endsAt: new Date(start.getTime() + 3_600_000),
    format: 'online',
    capacity: 600,
    joinUrl: 'https://meet.example.org/plenary',
  });
  await pool.query(
    `with p as (insert into people (name, experience, email) select 'Listed ' || g, 'lived', 'listed-' || g || '@example.org' from generate_series(1, 500) g returning id)
     insert into registrations (session_id, person_id, status) select $1, id, 'confirmed' from p`,
    [listSession.id],
  );
  const newStaffSession = async () => {
    const id = randomToken();
    await services.repositories.auth.insertSession(database.db, {
      idHash: sha256(id),
      personId: admin,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    return id;
  };
  const listUrl = `${ctx.appUrl}/manage/events/${listEvent.id}/registrations`;
  const browser = { 'accept-encoding': 'gzip, deflate, br, zstd' };
  // As a browser asks for it, compressed, and sends back the cookie the first answer set.
  const staffSession = await newStaffSession();
  const firstLook = await fetch(listUrl, { headers: { cookie: `cp_session=${staffSession}` } });
  if (!(await firstLook.text()).includes('500 registrations')) throw new Error('The registrations list did not show the 500');
  const csrfCookie = firstLook.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  // One organiser looking again and again: answered from what was kept for them (plugins/viewer-cache.ts).
  const staffList = await measure('registrations list of 500, signed in', listUrl, {
    ...browser,
    cookie: `cp_session=${staffSession}; ${csrfCookie}`,
  });
  // Many organisers each looking once: their page is rendered for them, the shared list kept.
  const organisers = await Promise.all(Array.from({ length: 400 }, newStaffSession));
  // Plain node:http, the body read but not unzipped: the client shares this process with the server.
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const look = (cookie: string) =>
    new Promise<void>((resolve, reject) => {
      http
        .get(listUrl, { agent, headers: { ...browser, cookie } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`The list answered ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  const renderedStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < organisers.length) await look(`cp_session=${organisers[next++]}`);
    }),
  );
  agent.destroy();
  const renderedPerSecond = Math.round(organisers.length / ((performance.now() - renderedStart) / 1000));

  // People for the burst, made with one SQL statement so that only registering is timed.
  const makePeople = async (tag: string) =>
    (
      await pool.query<{ id: string }>(
        `insert into people (name, experience, email) select 'Bench ' || $1 || ' ' || g, 'lived', 'bench-' || $1 || '-' || g || '@example.org' from generate_series(1, $2) g returning id`,
        [tag, registrationsInBurst],
      )
    ).rows.map((r) => r.id);
  const burstSession = await services.events.addSession(actor, event.id, {
    title: 'Burst',
    startsAt: start,
    endsAt: new Date(start.getTime() + 3_600_000),
    format: 'online',
    capacity: 1000,
    joinUrl: 'https://meet.example.org/burst',
  });
  const ids = await makePeople('api');
  const token = await services.auth.createApiToken(null, admin, 'bench');
  const idsFile = path.join(os.tmpdir(), `coproduce-bench-ids-${process.pid}.json`);
  await fs.writeFile(idsFile, JSON.stringify(ids));
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'bench/registration-load.ts'),
      `${ctx.appUrl}/api/v1/sessions/${burstSession.id}/registrations`,
      token,
      idsFile,
      String(connections),
    ],
    { maxBuffer: 10 * 1024 * 1024 },
  );
  await fs.rm(idsFile, { force: true });
  const burst = JSON.parse(stdout) as {
    requests: number;
    seconds: number;
    non2xx: number;
    errors: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
  };
  const counts = (
    await pool.query(`select status, count(*)::int as n from registrations where session_id = $1 group by status`, [burstSession.id])
  ).rows;

  // The baseline: the same locked insert as bare SQL, the same number at the same concurrency.
  const sqlSession = await services.events.addSession(actor, event.id, {
    title: 'SQL burst',
    startsAt: start,
    endsAt: new Date(start.getTime() + 3_600_000),
    format: 'online',
    capacity: 1000,
    joinUrl: 'https://meet.example.org/sql',
  });
  const sqlIds = await makePeople('sql');
  let nextId = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      try {
        for (let id = sqlIds[nextId++]; id; id = sqlIds[nextId++]) {
          await client.query('begin');
          const { rows } = await client.query(`select capacity from event_sessions where id = $1 for update`, [sqlSession.id]);
          const taken = (
            await client.query(
              `select count(*)::int as n from registrations where session_id = $1 and status in ('confirmed', 'attended')`,
              [sqlSession.id],
            )
          ).rows[0].n;
          await client.query(`insert into registrations (session_id, person_id, status) values ($1, $2, $3)`, [
            sqlSession.id,
            id,
            taken < rows[0].capacity ? 'confirmed' : 'waitlisted',
          ]);
          await client.query('commit');
        }
      } finally {
        client.release();
      }
    }),
  );
  const sqlSeconds = (performance.now() - t0) / 1000;

  const report = {
    benchmark: 'events',
    date: new Date().toISOString(),
    machine: ctx.machine,
    settings: { seconds, connections, registrationsInBurst, sessionCapacity: 1000 },
    // Issue 16's targets: the programme at 10% of the bare route with p99 under 50 ms, the
    // signed-in list at 10%.
    programmePage: {
      ...programme,
      bareRouteRequestsPerSecond: ctx.baseline,
      shareOfBaseline: Math.round((programme.requestsPerSecond / ctx.baseline) * 1000) / 1000,
      targetShare: 0.1,
      targetP99Ms: 50,
    },
    staffRegistrationsList: {
      ...staffList,
      rows: 500,
      bareRouteRequestsPerSecond: ctx.baseline,
      shareOfBaseline: Math.round((staffList.requestsPerSecond / ctx.baseline) * 1000) / 1000,
      targetShare: 0.1,
      // Not a target: 400 organisers' first looks, each rendered for them (fetch from this process).
      firstLookByEachOf400PerSecond: renderedPerSecond,
    },
    registrationBurst: {
      viaApi: {
        registrations: burst.requests,
        registrationsPerSecond: Math.round(burst.requests / burst.seconds),
        latencyP50Ms: burst.latencyP50Ms,
        latencyP99Ms: burst.latencyP99Ms,
        non2xx: burst.non2xx,
        errors: burst.errors,
        outcome: counts,
      },
      bareSqlTransaction: { registrations: sqlIds.length, registrationsPerSecond: Math.round(sqlIds.length / sqlSeconds) },
      // Issue 16's target: the API at 60% or more of the bare SQL transaction, measured in this run.
      shareOfBareSql: Math.round((burst.requests / burst.seconds / (sqlIds.length / sqlSeconds)) * 1000) / 1000,
      targetShare: 0.6,
      targetP99Ms: 250,
      overbooked: Math.max(0, (counts.find((c) => c.status === 'confirmed')?.n ?? 0) - 1000),
      pretixReferencePerSecond: Math.round(500 / 60),
    },
  };
  const file = path.join(root, 'bench/results/events.json');
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.table([
    { measure: 'programme page (40 sessions), req/s', value: programme.requestsPerSecond, 'bare route': ctx.baseline },
    { measure: 'programme page (40 sessions), p99 ms', value: programme.latencyP99Ms, 'bare route': '' },
    { measure: 'registrations list of 500 (signed in), req/s', value: staffList.requestsPerSecond, 'bare route': ctx.baseline },
    { measure: '… first look by each of 400 organisers, req/s', value: renderedPerSecond, 'bare route': '' },
    {
      measure: 'registration burst via the API, registrations/s',
      value: report.registrationBurst.viaApi.registrationsPerSecond,
      'bare route': '',
    },
    {
      measure: 'same locked insert as bare SQL, registrations/s',
      value: report.registrationBurst.bareSqlTransaction.registrationsPerSecond,
      'bare route': '',
    },
  ]);
  console.log(`Written to ${path.relative(root, file)}`);
  if (burst.non2xx || burst.errors || programme.non2xx || staffList.non2xx) {
    console.error('Some requests failed: the figures above are not valid.');
    process.exitCode = 1;
  }
}

/**
 * Feedback at regional scale: results of a form with a million rating answers and 100,000 text
 * answers, themes for 50,000 text answers, and how fast responses can be taken.
 */
async function benchForms(ctx: { runtime: Awaited<ReturnType<typeof startRuntime>>; appUrl: string; machine: unknown }) {
  const { services, database } = ctx.runtime;
  const pool = database.pool;
  const big = Number(process.env.BENCH_FORM_RESPONSES ?? 1_000_000);
  const texts = Number(process.env.BENCH_FORM_TEXTS ?? 100_000);
  const themeTexts = Number(process.env.BENCH_THEME_TEXTS ?? 50_000);
  const admin = (await pool.query(`select id from people where role = 'admin' limit 1`)).rows[0].id as string;
  const actor = { personId: admin, role: 'admin' as const };
  const token = await services.auth.createApiToken(null, admin, 'bench forms');
  const form = await services.forms.create(actor, {
    title: 'Regional staff survey',
    anonymous: true,
    questions: [
      { key: 'overall', type: 'rating', text: 'Overall?', required: true },
      { key: 'said', type: 'long_text', text: 'Anything else?' },
    ],
  });
  await services.forms.setStatus(actor, form.id, 'open');
  const [overall, said] = await services.forms.questions(form.id);

  // A million responses, made in SQL so that only reading them is timed.
  let t0 = performance.now();
  await pool.query(
    `insert into form_responses (form_id, experience) select $1, (array['lived','professional','both'])[1 + g % 3] from generate_series(1, $2) g`,
    [form.id, big],
  );
  await pool.query(
    `insert into form_answers (response_id, question_id, choice, experience) select id, $2, (array['excellent','good','fair','poor','very poor'])[1 + (hashtext(id::text) & 2147483647) % 5], experience from form_responses where form_id = $1`,
    [form.id, overall!.id],
  );
  await pool.query(
    `insert into form_answers (response_id, question_id, text, experience) select id, $2, 'Comment number ' || row_number() over (), experience from (select id, experience from form_responses where form_id = $1 limit $3) r`,
    [form.id, said!.id, texts],
  );
  await pool.query('analyze form_responses; analyze form_answers');
  const loadSeconds = (performance.now() - t0) / 1000;

  const time = async (fn: () => Promise<unknown>, runs = 5) => {
    await fn();
    const all: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await fn();
      all.push(performance.now() - s);
    }
    all.sort((a, b) => a - b);
    return Math.round(all[Math.floor(all.length / 2)]!);
  };
  const headers = { authorization: `Bearer ${token}` };
  const apiMs = await time(async () => {
    const res = await fetch(`${ctx.appUrl}/api/v1/forms/${form.id}/results`, { headers });
    if (!res.ok) throw new Error(`results answered ${res.status}`);
    await res.json();
  });
  const rawSqlMs = await time(() =>
    pool.query(`select choice, count(*) from form_answers where question_id = $1 group by choice`, [overall!.id]),
  );
  // The staff results page, as a signed-in admin sees it (charts, tables, the first text answers).
  const sessionId = randomToken();
  await services.repositories.auth.insertSession(database.db, {
    idHash: sha256(sessionId),
    personId: admin,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  const pageMs = await time(async () => {
    const res = await fetch(`${ctx.appUrl}/manage/forms/${form.id}/results`, { headers: { cookie: `cp_session=${sessionId}` } });
    if (!res.ok) throw new Error(`results page answered ${res.status}`);
    await res.text();
  });
  const serviceMs = await time(() => services.results.results(form.id));

  // Themes for 50,000 answers written from varied sentences, on a question of their own.
  const themeForm = await services.forms.create(actor, {
    title: 'Themes',
    anonymous: true,
    questions: [{ key: 'said', type: 'long_text', text: 'What did you learn?' }],
  });
  const [themeQ] = await services.forms.questions(themeForm.id);
  const phrases = [
    ['Active listening across all partners', 'We must listen to patients', 'Listening to carers', 'Listen more and talk less'],
    ['Courageous leadership is needed', 'Brave leaders who share power', 'Leadership from the board', 'Leaders must lead by example'],
    [
      'The power imbalance must be challenged',
      'Culture change comes first',
      'Power and culture in the NHS',
      'Hierarchy stops people speaking up',
    ],
    [
      'Local partnerships and relationships',
      'Relationships with local groups',
      'Partnership with community groups',
      'Working with local charities',
    ],
  ];
  await pool.query(`insert into form_responses (form_id) select $1 from generate_series(1, $2)`, [themeForm.id, themeTexts]);
  const ids = (await pool.query<{ id: string }>(`select id from form_responses where form_id = $1`, [themeForm.id])).rows.map((r) => r.id);
  const bodies = ids.map(
    (_, i) => `${phrases[i % 4]![i % 3]!} ${i % 7 === 0 ? 'was what stayed with me' : 'matters most'}, said person ${i}.`,
  );
  for (let i = 0; i < ids.length; i += 5000) {
    await pool.query(`insert into form_answers (response_id, question_id, text) select unnest($1::uuid[]), $2, unnest($3::text[])`, [
      ids.slice(i, i + 5000),
      themeQ!.id,
      bodies.slice(i, i + 5000),
    ]);
  }
  t0 = performance.now();
  const themeCount = await services.results.runThemes(themeQ!.id, { force: true });
  const themeSeconds = Math.round((performance.now() - t0) / 100) / 10;

  // Taking responses: the API (a new anonymous response each time) against the same rows inserted in bare SQL.
  const small = await services.forms.create(actor, {
    title: 'Quick',
    anonymous: true,
    questions: [
      { key: 'overall', type: 'rating', text: 'Overall?', required: true },
      { key: 'said', type: 'text', text: 'One word' },
    ],
  });
  await services.forms.setStatus(actor, small.id, 'open');
  const { stdout } = await run(
    path.join(root, 'node_modules/.bin/autocannon'),
    [
      '-j',
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      `authorization=Bearer ${token}`,
      '-H',
      'content-type=application/json',
      '-b',
      JSON.stringify({ answers: { overall: 'good', said: 'Listening' } }),
      `${ctx.appUrl}/api/v1/forms/${small.id}/responses`,
    ],
    { maxBuffer: 50 * 1024 * 1024 },
  );
  const submitted = JSON.parse(stdout);
  // Every response answered 201 is stored, with both its answers (the API groups responses); up to
  // one a connection more, sent as autocannon stopped and stored without their answer counted.
  const stored = (
    await pool.query<{ responses: number; answers: number }>(
      `select count(distinct r.id)::int as responses, count(a.*)::int as answers
       from form_responses r left join form_answers a on a.response_id = r.id where r.form_id = $1`,
      [small.id],
    )
  ).rows[0]!;
  const [smallOverall, smallSaid] = await services.forms.questions(small.id);
  let n = 0;
  const bareStart = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() - bareStart < seconds * 1000) {
          await client.query('begin');
          const r = await client.query(`insert into form_responses (form_id) values ($1) returning id`, [small.id]);
          await client.query(`insert into form_answers (response_id, question_id, choice) values ($1, $2, 'good')`, [
            r.rows[0].id,
            smallOverall!.id,
          ]);
          await client.query(`insert into form_answers (response_id, question_id, text) values ($1, $2, 'Listening')`, [
            r.rows[0].id,
            smallSaid!.id,
          ]);
          await client.query('commit');
          n++;
        }
      } finally {
        client.release();
      }
    }),
  );
  const bareRate = Math.round(n / ((performance.now() - bareStart) / 1000));

  const report = {
    benchmark: 'forms',
    date: new Date().toISOString(),
    machine: ctx.machine,
    results: {
      ratingAnswers: big,
      textAnswers: texts,
      loadSeconds: Math.round(loadSeconds),
      apiMedianMs: apiMs,
      pageMedianMs: pageMs,
      serviceMedianMs: serviceMs,
      rawSqlGroupByMedianMs: rawSqlMs,
      targetMs: 1000,
    },
    themes: { answers: themeTexts, themesFound: themeCount, seconds: themeSeconds, targetSeconds: 60 },
    responses: {
      viaApiPerSecond: Math.round(submitted.requests.average),
      non2xx: submitted.non2xx,
      answered201: submitted['2xx'],
      stored: stored.responses,
      answersStored: stored.answers,
      p99Ms: submitted.latency.p99,
      bareSqlPerSecond: bareRate,
      // Issue 16: responses through the API at half the bare inserts or more, in this run.
      shareOfBareSql: Math.round((submitted.requests.average / bareRate) * 1000) / 1000,
      targetShare: 0.5,
    },
  };
  await fs.writeFile(path.join(root, 'bench/results/forms.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.table([
    {
      measure: `results of ${big.toLocaleString('en-GB')} rating + ${texts.toLocaleString('en-GB')} text answers, API (ms)`,
      value: apiMs,
      baseline: `${rawSqlMs} ms raw GROUP BY`,
    },
    { measure: 'the same results as the staff page (ms)', value: pageMs, baseline: 'aim < 1,000 ms' },
    { measure: `themes for ${themeTexts.toLocaleString('en-GB')} answers (s)`, value: themeSeconds, baseline: 'aim < 60 s' },
    { measure: 'responses taken via the API (per s)', value: report.responses.viaApiPerSecond, baseline: `${bareRate}/s bare SQL` },
  ]);
  console.log('Written to bench/results/forms.json');
  if (submitted.non2xx || submitted.errors) process.exitCode = 1;
  const lost = stored.responses < submitted['2xx'] || stored.responses > submitted['2xx'] + connections;
  if (lost || stored.answers !== 2 * stored.responses) {
    console.error(`${submitted['2xx']} responses were answered 201 but ${stored.responses} stored, with ${stored.answers} answers`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
