import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { DEMO_ACCOUNTS, seedDemoData } from './demo-data.ts';

let t: TestApp;
let db: pg.Client;
before(async () => {
  t = await startTestApp({ DEMO: 'true' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
after(async () => {
  await db.end();
  await t.close();
});

test('a first start fills an empty database with demo people: one account per role, lay and professional, some with access needs', async () => {
  const { rows } = await db.query('select role, experience, access_needs, is_demo, name from people');
  assert.ok(
    rows.every((r) => r.is_demo && /demo/i.test(r.name)),
    'every demo person is marked and named as demo',
  );
  for (const role of ['admin', 'staff', 'facilitator', 'participant'])
    assert.ok(
      rows.some((r) => r.role === role),
      role,
    );
  assert.ok(rows.some((r) => r.experience === 'lived') && rows.some((r) => r.experience === 'professional'));
  assert.ok(rows.filter((r) => r.access_needs.length > 0).length >= 3);
  const home = await t.app.inject({ url: '/' });
  for (const a of DEMO_ACCOUNTS) assert.ok(home.body.includes(a.email), a.email);
});

test('a second start does not add the demo data again', async () => {
  const before = (await db.query('select count(*)::int as n from people')).rows[0].n;
  const added = await seedDemoData({
    people: t.services.people,
    consents: t.services.consents,
    events: t.services.events,
    registrations: t.services.registrations,
    isEmpty: async () => (await t.services.repositories.people.count(t.services.db)) === 0,
  });
  assert.equal(added, false);
  assert.equal((await db.query('select count(*)::int as n from people')).rows[0].n, before);
});

test('the demo holds the conference with five masterclasses led by patient leaders, and the co-production week', async () => {
  const events = await t.services.events.list({ publishedOnly: true });
  const conference = events.find((e) => e.title.startsWith('#PatientsasPartners') && e.startsAt > new Date())!;
  const week = events.find((e) => e.title.startsWith('Co-production week'))!;
  assert.ok(conference && week);
  const masterclasses = (await t.services.events.sessionsOf(conference.id)).filter((s) => s.title.startsWith('Masterclass'));
  assert.equal(masterclasses.length, 5);
  for (const m of masterclasses) {
    assert.equal(m.facilitators.length, 1, m.title);
    assert.ok(m.facilitators[0]!.bio, `${m.title} shows its leader's own words`);
  }
  const weekSessions = await t.services.events.sessionsOf(week.id);
  assert.ok(weekSessions.every((s) => s.format === 'online'));
  assert.equal(new Set(weekSessions.map((s) => s.startsAt.toISOString().slice(0, 10))).size, 5, 'across five days');
  assert.ok(
    weekSessions.some((s) => s.waitlisted > 0),
    'one session is full, with a waiting list',
  );
});

test('the demo holds #PatientsasPartners16 as it happened: the report says 70% and 97%, with themes, quotes and headlines', async () => {
  const past = (await t.services.events.list({ publishedOnly: true })).find((e) => e.title.startsWith('#PatientsasPartners16'))!;
  const report = await t.services.eventReport.report(past.id);
  assert.equal(report.attended, 100);
  assert.equal(Math.round(report.evaluation!.responseRate! * 100), 70);
  assert.equal(Math.round(report.evaluation!.excellentOrGoodShare! * 100), 97);
  assert.equal(report.headlines.length, 7);
  assert.ok(report.quotes.length >= 2);
  const learnt = report.results!.questions.find((q) => q.key === 'learnt')!;
  assert.ok(learnt.themes!.length >= 2, 'themes were found');
});

test('the demo holds Leading Together: the 2018 pilot graduated with certificates, and a new cohort open for applications', async () => {
  const [programme] = (await t.services.programmes.listProgrammes()).filter((p) => p.title.startsWith('Leading Together'));
  assert.ok(programme);
  const cohorts = await t.services.programmes.cohortsOf(programme.id);
  const pilot = cohorts.find((c) => c.cohort.name.includes('2018'))!.cohort;
  assert.ok(pilot.graduatedAt);
  const certificates = await t.services.certificates.certificatesOf(pilot.id);
  const report = await t.services.cohorts.graduationReport(pilot.id);
  // Everyone who met the rule has a certificate, dated the day of the 2018 graduation; the rest have reasons.
  assert.equal(certificates.length, report.rows.filter((r) => r.met).length);
  assert.ok(certificates.length >= 5 && certificates.length < report.rows.length);
  assert.ok(certificates.every((c) => c.issuedOn === '2018-11-28'));
  assert.equal(report.rows.filter((r) => r.member.experience === 'lived').length, 5, 'five people with learning disabilities');
  const open = cohorts.find((c) => c.cohort.applicationsOpen)!;
  assert.ok(open.applied >= 5);
  assert.equal((await t.services.certificates.check(certificates[0]!.credential)).verified, true);
});

test('the demo holds Team Leeds Hearts and Minds: a dozen chats across the sectors, pledges at each stage, one to phone, stories at each stage', async () => {
  const leeds = (await t.services.conversations.list()).find((c) => c.title === 'Team Leeds Hearts and Minds')!;
  assert.equal(leeds.questions.length, 4);
  assert.ok(t.services.conversations.acceptsChats(leeds), 'open for chats');
  const summary = await t.services.conversations.summary(leeds.id);
  assert.equal(summary.chats, 12);
  for (const sector of ['nhs', 'council', 'third_sector'] as const) assert.ok(summary.bySector[sector] >= 2, sector);
  const { done, started, notYet, dropped, total, followedUp } = summary.pledges;
  assert.ok(done && started && notYet && dropped, 'every stage of follow-up');
  assert.ok(followedUp < total, 'some not yet answered');
  assert.ok((await t.services.conversations.toPhone(leeds.id)).length >= 1, 'a team without email to phone');
  const { rows } = await db.query(`select distinct status from stories where conversation_id = $1`, [leeds.id]);
  assert.deepEqual(rows.map((r) => r.status).sort(), ['changes_requested', 'published', 'rejected', 'submitted', 'withdrawn']);
});
