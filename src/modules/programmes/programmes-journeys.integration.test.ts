import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';

// Issue 15: what happens around each staff and member action on a programme.
let t: TestApp;
let db: pg.Client;
let staff: WebClient;
let admin: { personId: string; role: 'admin' };
let token: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];
const DAY = 24 * 3_600_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ admin, token } = await createAdminWithToken(t.services));
  await createPerson(t.services, { name: 'Sam Staff', email: 'staff-journeys@example.org' }, 'staff');
  staff = await signIn(t, 'staff-journeys@example.org');
});
after(async () => {
  await db.end();
  await t.close();
});

/** A running cohort (started a month ago, ends in a month): one workshop that happened, one to come, two members. */
async function runningCohort() {
  const s = t.services;
  const programme = await s.programmes.createProgramme(admin, {
    title: 'Leading Together',
    summary: 'Patients, carers and professionals learn to lead together.',
    placesPerCohort: 10,
    graduationRule: { minSessionsAttended: 1, projectRequired: false },
  });
  const now = Date.now();
  const cohort = await s.programmes.createCohort(admin, programme.id, {
    name: `Running cohort ${now}`,
    startsOn: isoDay(new Date(now - 30 * DAY)),
    endsOn: isoDay(new Date(now + 30 * DAY)),
    places: 4,
  });
  const session = (days: number, title: string) =>
    s.programmes.addSession(admin, cohort.id, {
      title,
      startsAt: new Date(now + days * DAY),
      endsAt: new Date(now + days * DAY + 3_600_000),
      format: 'online',
      capacity: 10,
      joinUrl: 'https://meet.example.org/x',
    });
  const past = await session(-7, 'Workshop day 1');
  const future = await session(7, 'Workshop day 2');
  const people = [];
  for (const name of ['Amara Okoye', 'Bill Turner']) {
    const p = await createPerson(t.services, { name, email: `${name.split(' ')[0]!.toLowerCase()}-${now}@example.org` });
    const { application } = await s.programmes.apply(admin, cohort.id, { who: { personId: p.id } });
    for (const st of ['shortlisted', 'offered', 'accepted'] as const)
      await s.programmes.changeStatus(admin, application.id, st, { offerAnyway: true });
    people.push({ ...p, applicationId: application.id });
  }
  return { programme, cohort, past, future, people };
}

test('graduation: disabled with the reason while no one meets the rule, warned before the end date, confirmed by name, then a success message', async () => {
  const { cohort, past, people } = await runningCohort();
  const [amara, bill] = people as [(typeof people)[0], (typeof people)[0]];
  const url = `/manage/cohorts/${cohort.id}/graduation`;
  const graduated = async () => (await one('select graduated_at from cohorts where id = $1', [cohort.id])).graduated_at;

  // No one has met the rule: the button is disabled and the page says why; the confirm page is not offered.
  const none = await staff.get(url);
  assert.match(none.body, /You cannot graduate this cohort yet: no one has met the rule/);
  assert.match(none.body, /<button[^>]*disabled[^>]*>\s*Graduate the cohort/);
  assert.equal((await staff.get(`${url}/confirm`)).headers.location, url);
  const forced = await staff.post(url, { confirmed: 'yes' });
  assert.equal(forced.statusCode, 409);
  assert.match(forced.body, /No one has met the graduation rule yet/);
  assert.equal(await graduated(), null);

  // Amara came to the workshop that happened.
  await staff.get(`/manage/cohorts/${cohort.id}/schedule`);
  await staff.post(`/manage/sessions/${past.id}/attendance`, { members: [amara.id, bill.id], came: amara.id });

  // Before the end date: a warning; the button leads to the confirm page, and posting without it graduates no one.
  const ready = await staff.get(url);
  assert.match(ready.body, /The cohort has not ended yet/);
  assert.match(ready.body, new RegExp(`href="${url}/confirm"`));
  const oneClick = await staff.post(url, {});
  assert.equal(oneClick.headers.location, `${url}/confirm`);
  assert.equal(await graduated(), null);

  // The confirm page names who gets a certificate and who does not, and why.
  const confirm = await staff.get(`${url}/confirm`);
  assert.equal(confirm.statusCode, 200);
  const [, getting, notGetting] = /<ul[^>]*id="graduating">([\s\S]*?)<\/ul>[\s\S]*id="not-graduating">([\s\S]*?)<\/ul>/.exec(confirm.body)!;
  assert.match(getting!, /Amara Okoye/);
  assert.doesNotMatch(getting!, /Bill Turner/);
  assert.match(notGetting!, /Bill Turner: Came to 0 of 2 workshop days; needs 1/);
  assert.match(confirm.body, /The cohort has not ended yet/);
  assert.match(confirm.body, /Yes, graduate and issue 1 certificate\s*</);

  // If the list changed since the page was shown, nothing happens and the page says so.
  const stale = await staff.post(url, { confirmed: 'yes', expected: [amara.id, bill.id] });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /has changed since the list was shown/);
  assert.equal(await graduated(), null);

  await staff.get(`${url}/confirm`);
  const done = await staff.post(url, { confirmed: 'yes', expected: [amara.id] });
  assert.equal(done.statusCode, 303);
  const after = await staff.get(done.headers.location as string);
  assert.match(after.body, /nhsuk-notification-banner--success/);
  assert.match(after.body, /has graduated. We issued 1 certificate and emailed/);
  assert.ok(await graduated());
  assert.equal((await one('select count(*)::int as n from certificates where cohort_id = $1', [cohort.id])).n, 1);
  const again = await staff.post(url, { confirmed: 'yes', expected: [amara.id] });
  assert.equal(again.statusCode, 409);
  assert.equal((await one('select count(*)::int as n from certificates where cohort_id = $1', [cohort.id])).n, 1);
  // Revoking one certificate says so too.
  const cert = await one('select id, serial from certificates where cohort_id = $1', [cohort.id]);
  await staff.get(url);
  const revoked = await staff.post(`/manage/certificates/${cert.id}/revoke`, { reason: 'Issued in error' });
  assert.match(
    (await staff.get(revoked.headers.location as string)).body,
    new RegExp(`Revoked Amara Okoye’s certificate \\(${cert.serial}\\)`),
  );
});

test('attendance cannot be recorded for a session that has not happened yet, on the web or through the API', async () => {
  const { cohort, future, past, people } = await runningCohort();
  const marks = async () => (await one('select count(*)::int as n from cohort_attendance where session_id = $1', [future.id])).n;
  const page = await staff.get(`/manage/cohorts/${cohort.id}/schedule`);
  // The session still to come has no register to tick; the one that happened has.
  assert.match(page.body, /This session has not happened yet. You can record who came once it starts./);
  assert.match(page.body, new RegExp(`action="/manage/sessions/${past.id}/attendance"`));
  assert.doesNotMatch(page.body, new RegExp(`action="/manage/sessions/${future.id}/attendance"`));

  const web = await staff.post(`/manage/sessions/${future.id}/attendance`, { members: people.map((p) => p.id), came: people[0]!.id });
  assert.equal(web.statusCode, 409);
  assert.match(web.body, /There is a problem/);
  assert.match(web.body, /“Workshop day 2” has not happened yet. You can record who came once it starts, on /);
  assert.equal(await marks(), 0);

  const viaApi = await api('POST', `/api/v1/sessions/${future.id}/attendance`, { personId: people[0]!.id, attended: true });
  assert.equal(viaApi.statusCode, 409);
  assert.match(viaApi.json().detail, /has not happened yet/);
  assert.equal(await marks(), 0);
  assert.equal((await api('POST', `/api/v1/sessions/${past.id}/attendance`, { personId: people[0]!.id, attended: true })).statusCode, 200);
});

test('after graduation, "Your applications" says the member graduated, with their certificate, and offers no withdrawal', async () => {
  const { cohort, past, people } = await runningCohort();
  const [amara, bill] = people as [(typeof people)[0], (typeof people)[0]];
  await t.services.cohorts.recordAttendance(admin, past.id, [
    { personId: amara.id, attended: true },
    { personId: bill.id, attended: false },
  ]);
  const amaraWeb = await signIn(t, amara.email!);
  assert.match((await amaraWeb.get('/account/applications')).body, /Withdraw my application/, 'before graduation');
  const { certificates } = await t.services.certificates.graduate(admin, cohort.id);
  const mine = (await amaraWeb.get('/account/applications')).body;
  assert.match(mine, /<strong>Graduated<\/strong>/);
  assert.match(mine, /You graduated on \d{1,2} \w+ \d{4}/);
  assert.ok(mine.includes(`href="/certificates/${certificates[0]!.serial}"`));
  assert.doesNotMatch(mine, /Withdraw my application/);
  // Bill was a member but did not meet the rule: told kindly, and no withdrawal either.
  const his = (await (await signIn(t, bill.email!)).get('/account/applications')).body;
  assert.match(his, /Your group graduated on .*You did not get a certificate this time/);
  assert.doesNotMatch(his, /Withdraw my application|You graduated/);
});

test('truthful labels: "Applied with help" only when someone helped, and "1 member", "1 place", never "1 members"', async () => {
  const s = t.services;
  const programme = await s.programmes.createProgramme(admin, { title: 'Small programme', summary: 'A small one.', placesPerCohort: 1 });
  const cohort = await s.programmes.createCohort(admin, programme.id, {
    name: 'Solo cohort',
    startsOn: '2030-01-01',
    endsOn: '2030-02-01',
  });
  const stamp = Date.now();
  // Applying for yourself, signed in: not help.
  const selfEmail = `self-${stamp}@example.org`;
  await createPerson(s, { name: 'Selma Self', email: selfEmail });
  const self = await signIn(t, selfEmail);
  await self.get(`/cohorts/${cohort.id}/apply`);
  assert.equal(
    (await self.post(`/cohorts/${cohort.id}/apply`, { name: 'Selma Self', email: selfEmail, experience: 'lived' })).statusCode,
    303,
  );
  // Applying without signing in: not help. Naming a helper, or staff filling it in: help.
  const visitor = new WebClient(t.app);
  await visitor.get(`/cohorts/${cohort.id}/apply`);
  await visitor.post(`/cohorts/${cohort.id}/apply`, { name: 'Vic Visitor', email: `vic-${stamp}@example.org`, experience: 'professional' });
  await visitor.get(`/cohorts/${cohort.id}/apply`);
  await visitor.post(`/cohorts/${cohort.id}/apply`, {
    name: 'Hana Helped',
    email: `hana-${stamp}@example.org`,
    experience: 'lived',
    helpedBy: 'My support worker',
  });
  await staff.get(`/cohorts/${cohort.id}/apply`);
  await staff.post(`/cohorts/${cohort.id}/apply`, {
    name: 'Pat Post',
    experience: 'lived',
    contactPreference: 'post',
    postalAddress: '1 High St',
  });

  const page = (await staff.get(`/manage/cohorts/${cohort.id}`)).body;
  const rowOf = (name: string) => new RegExp(`>${name}</a>([\\s\\S]*?)</td>`).exec(page)![1]!;
  assert.doesNotMatch(rowOf('Selma Self'), /Applied with help/);
  assert.doesNotMatch(rowOf('Vic Visitor'), /Applied with help/);
  assert.match(rowOf('Hana Helped'), /Applied with help/);
  assert.match(rowOf('Pat Post'), /Applied with help/);

  // One accepted member of one place: counted in the singular everywhere.
  const selma = (await one(`select a.id from applications a join people p on p.id = a.person_id where p.email = $1`, [selfEmail])).id;
  for (const st of ['shortlisted', 'offered', 'accepted'] as const)
    await s.programmes.changeStatus(admin, selma, st, { offerAnyway: true });
  const lists = [
    (await staff.get('/manage/programmes')).body,
    (await staff.get(`/manage/programmes/${programme.id}`)).body,
    (await staff.get(`/manage/cohorts/${cohort.id}`)).body,
    (await new WebClient(t.app).get(`/programmes/${programme.id}`)).body,
  ];
  assert.match(lists[0]!, /Solo cohort<\/a>: 4 applied, 1 member,/);
  assert.match(lists[1]!, /1 of 1 place offered or taken/);
  assert.match(lists[2]!, /1 of 1 place offered or taken/);
  assert.match(lists[3]!, /1 place\./);
  assert.match(lists[3]!, /Groups of about 1 person\./);
  for (const body of lists) assert.doesNotMatch(body, /\b1 (members|places|people|applications|sessions|workshop days)\b/);
});

test('the application review page: the answers full width, and the mix meter as one bar with its target line and in words', async () => {
  const s = t.services;
  const programme = await s.programmes.createProgramme(admin, {
    title: 'Mix programme',
    summary: 'Half the places for lived experience.',
    placesPerCohort: 4,
    mixTarget: { livedMinShare: 0.5 },
  });
  const cohort = await s.programmes.createCohort(admin, programme.id, { name: 'Mix cohort', startsOn: '2030-01-01', endsOn: '2030-02-01' });
  const ids = [];
  for (const experience of ['lived', 'professional'] as const) {
    const p = await createPerson(s, { experience });
    const { application } = await s.programmes.apply(admin, cohort.id, { who: { personId: p.id } });
    for (const st of ['shortlisted', 'offered'] as const) await s.programmes.changeStatus(admin, application.id, st, { offerAnyway: true });
    ids.push(application.id);
  }
  const page = (await staff.get(`/manage/applications/${ids[0]}`)).body;
  const main = /<main[\s\S]*<\/main>/.exec(page)![0];
  // Not squeezed into a column inside a column: the answers come before any grid column.
  const answersAt = main.indexOf('id="application-answers"');
  assert.ok(answersAt > 0);
  assert.equal(main.slice(0, answersAt).includes('nhsuk-grid-column'), false, 'the answers are full width');
  const bar = /<svg class="app-mix-bar"[\s\S]*?<\/svg>/.exec(main)![0];
  assert.match(bar, /<rect x="0%" y="22" width="25%"[^>]*fill="#005eb8"/, 'lived from the left');
  assert.match(bar, /<rect x="75%" y="22" width="25%"[^>]*fill="#768692"/, 'professionals from the right');
  assert.match(bar, /<line x1="50%" x2="50%"/, 'the target line at half');
  assert.match(bar, />Target 2</);
  assert.match(main, /Of 4 places: 1 place for people with lived experience, 1 place for professionals, 2 free. The target is at least 2/);
  assert.equal(main.match(/class="app-mix-bar"/g)!.length, 1, 'one bar');
});

test('a success banner after each staff action on applications and cohorts', async () => {
  const s = t.services;
  const banner = (body: string) =>
    /nhsuk-notification-banner--success[\s\S]*?<p class="nhsuk-notification-banner__heading">\s*([\s\S]*?)\s*<\/p>/.exec(body)?.[1];
  // Programmes and cohorts.
  await staff.get('/manage/programmes/new');
  const made = await staff.post('/manage/programmes/new', {
    title: 'Banner programme',
    summary: 'For banners.',
    placesPerCohort: '10',
    livedMinPercent: '50',
    minSessionsAttended: '0',
    projectRequired: 'no',
  });
  assert.equal(made.statusCode, 303, made.body);
  assert.equal(banner((await staff.get(made.headers.location as string)).body), 'Created Banner programme. Next, add a cohort.');
  const programmeId = /\/manage\/programmes\/([0-9a-f-]+)/.exec(made.headers.location as string)![1]!;
  await staff.get(`/manage/programmes/${programmeId}/cohorts/new`);
  const cohortFields = {
    name: 'Banner cohort',
    'startsOn[day]': '1',
    'startsOn[month]': '3',
    'startsOn[year]': '2030',
    'endsOn[day]': '1',
    'endsOn[month]': '6',
    'endsOn[year]': '2030',
    places: '10',
    applicationsOpen: 'yes',
  };
  const cohortMade = await staff.post(`/manage/programmes/${programmeId}/cohorts/new`, cohortFields);
  assert.equal(cohortMade.statusCode, 303);
  assert.match(
    banner((await staff.get(cohortMade.headers.location as string)).body)!,
    /^Added Banner cohort. It is open for applications./,
  );
  const cohortId = /\/manage\/cohorts\/([0-9a-f-]+)/.exec(cohortMade.headers.location as string)![1]!;
  await staff.get(`/manage/cohorts/${cohortId}/edit`);
  const edited = await staff.post(`/manage/cohorts/${cohortId}/edit`, { ...cohortFields, name: 'Banner cohort, spring' });
  assert.equal(banner((await staff.get(edited.headers.location as string)).body), 'Saved the changes to Banner cohort, spring.');

  // Applications: each move says what it did and whether they were emailed.
  const withEmail = await createPerson(s, { name: 'Grace Owusu' });
  const noEmail = await s.people.create(admin, {
    name: 'Winston Clarke',
    experience: 'lived',
    contactPreference: 'post',
    postalAddress: '4 Cowley Road',
  });
  const a1 = (await s.programmes.apply(admin, cohortId, { who: { personId: withEmail.id } })).application;
  const a2 = (await s.programmes.apply(admin, cohortId, { who: { personId: noEmail.id } })).application;
  await staff.get(`/manage/applications/${a1.id}`);
  const moved = await staff.post(`/manage/applications/${a1.id}/status`, { status: 'shortlisted' });
  assert.equal(banner((await staff.get(moved.headers.location as string)).body), 'Moved Grace Owusu to shortlisted and emailed them.');
  await staff.get(`/manage/applications/${a2.id}`);
  const moved2 = await staff.post(`/manage/applications/${a2.id}/status`, { status: 'shortlisted' });
  assert.equal(
    banner((await staff.get(moved2.headers.location as string)).body),
    'Moved Winston Clarke to shortlisted. We reach them by post: send them a letter.',
  );
  await staff.get(`/manage/applications/${a1.id}`);
  const reviewed = await staff.post(`/manage/applications/${a1.id}/review`, { score: '4', notes: 'Strong' });
  assert.equal(banner((await staff.get(reviewed.headers.location as string)).body), 'Saved your review notes. Only staff see them.');
  assert.equal(banner((await staff.get(`/manage/applications/${a1.id}`)).body), undefined, 'only right after the action');

  // Running the cohort: attendance, projects, coaching.
  const { cohort, past, people } = await runningCohort();
  await staff.get(`/manage/cohorts/${cohort.id}/schedule`);
  const marked = await staff.post(`/manage/sessions/${past.id}/attendance`, { members: people.map((p) => p.id), came: people[0]!.id });
  assert.equal(banner((await staff.get(marked.headers.location as string)).body), 'Saved attendance for Workshop day 1: 1 of 2 came.');
  await staff.get(`/manage/cohorts/${cohort.id}/projects`);
  const project = await staff.post(`/manage/cohorts/${cohort.id}/projects`, {
    title: 'Easy read letters',
    aim: 'Letters people can read',
    memberIds: people[0]!.id,
  });
  assert.equal(banner((await staff.get(project.headers.location as string)).body), 'Added the project “Easy read letters”.');
  const projectId = /p=([0-9a-f-]+)/.exec(project.headers.location as string)![1]!;
  const presented = await staff.post(`/manage/projects/${projectId}/presented`, { presented: 'yes' });
  assert.equal(banner((await staff.get(presented.headers.location as string)).body), 'Recorded that “Easy read letters” was presented.');
  const update = await staff.post(`/projects/${projectId}/updates`, { body: 'Ten letters rewritten' });
  assert.equal(banner((await staff.get(update.headers.location as string)).body), 'Added your update to “Easy read letters”.');
  const coach = await createPerson(s, { name: 'Coach Carter' }, 'facilitator');
  await staff.get(`/manage/cohorts/${cohort.id}/coaching`);
  const year = new Date().getUTCFullYear() + 1;
  const booked = await staff.post(`/manage/cohorts/${cohort.id}/coaching`, {
    participantId: people[0]!.id,
    coachId: coach.id,
    'date[day]': '3',
    'date[month]': '3',
    'date[year]': String(year),
    time: '2pm',
  });
  assert.equal(booked.statusCode, 303, booked.body);
  assert.match(banner((await staff.get(booked.headers.location as string)).body)!, /^Booked coaching for Amara Okoye with Coach Carter, /);
});
