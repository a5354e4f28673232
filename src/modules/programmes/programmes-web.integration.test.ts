import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { signIn, WebClient } from '../../../test/web-client.ts';
import { pdfText } from '../../../test/pdf.ts';

// The demo data: Leading Together, its finished 2018 pilot and a cohort open for applications.
let t: TestApp;
let db: pg.Client;
let openCohort: string;
let pilot: string;
const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];

before(async () => {
  t = await startTestApp({ DEMO: 'true' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  openCohort = (await one(`select id from cohorts where applications_open and graduated_at is null`)).id;
  pilot = (await one(`select id from cohorts where graduated_at is not null`)).id;
});
after(async () => {
  await db.end();
  await t.close();
});

test('applying without signing in: every mistake shown at once, nothing saved; then one application, not two', async () => {
  const web = new WebClient(t.app);
  const page = await web.get(`/cohorts/${openCohort}/apply`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Where do you live or work\?/);
  const before = (await one('select count(*)::int as n from applications')).n;
  const bad = await web.post(`/cohorts/${openCohort}/apply`, { name: '', email: 'not-an-email', q_area: 'Mars' });
  assert.equal(bad.statusCode, 400);
  for (const message of [
    'Enter a name',
    'email address in the correct format',
    'Choose lived experience',
    'Answer “Why would you like',
    'Choose one of: Oxfordshire',
  ])
    assert.ok(bad.body.includes(message), message);
  assert.equal((await one('select count(*)::int as n from applications')).n, before);
  const fields = {
    name: 'Nia Roberts',
    email: 'nia@example.org',
    experience: 'lived',
    q_why: 'I want my voice heard',
    q_area: 'Oxfordshire',
    q_days: 'yes',
  };
  const ok = await web.post(`/cohorts/${openCohort}/apply`, fields);
  assert.equal(ok.statusCode, 303);
  const again = await web.post(`/cohorts/${openCohort}/apply`, fields);
  assert.match(again.headers.location as string, /again=1/);
  assert.equal((await one('select count(*)::int as n from applications')).n, before + 1);
  const stored = await one(
    `select a.answers, a.status from applications a join people p on p.id = a.person_id where p.email = 'nia@example.org'`,
  );
  assert.deepEqual(stored, { answers: { why: 'I want my voice heard', area: 'Oxfordshire', days: 'yes' }, status: 'applied' });
  const email = await t.waitForEmail('nia@example.org', { subject: /We have your application/ });
  assert.match(email.body, /You do not need to do anything now/);
  // The easy read form asks one question a page, in its easy words (easy-apply.integration.test.ts).
  assert.equal((await web.get(`/cohorts/${openCohort}/apply?easy=1`)).headers.location, `/cohorts/${openCohort}/apply/easy`);
});

test('staff: review with the mix meter, an offer that breaks the target needs "offer anyway", and illegal moves are refused', async () => {
  const staff = await signIn(t, 'demo-staff@coproduce.example');
  const review = await staff.get(`/manage/cohorts/${openCohort}`);
  assert.equal(review.statusCode, 200);
  assert.match(review.body, /Mix meter/);
  assert.match(review.body, /Target: at least 10 of 20 places/);
  // Fill the professional room: shortlist and offer professionals until the next one would break the target.
  const held = (
    await one(
      `select count(*) filter (where p.experience = 'professional')::int as pros from applications a join people p on p.id = a.person_id where a.cohort_id = $1 and a.status in ('offered','accepted')`,
      [openCohort],
    )
  ).pros;
  const ids: string[] = [];
  for (let i = 0; i < 10 - held + 1; i++) {
    const p = await t.services.people.create(null, { name: `Professional ${i}`, experience: 'professional' });
    const { application } = await t.services.programmes
      .apply(null, openCohort, { who: { personId: p.id }, answers: { why: 'x', area: 'Oxfordshire' } })
      .catch(async () =>
        t.services.programmes.apply({ personId: p.id, role: 'participant' }, openCohort, {
          who: { personId: p.id },
          answers: { why: 'x', area: 'Oxfordshire' },
        }),
      );
    ids.push(application.id);
    await staff.get(`/manage/applications/${application.id}`);
    assert.equal((await staff.post(`/manage/applications/${application.id}/status`, { status: 'shortlisted' })).statusCode, 303);
  }
  for (const id of ids.slice(0, -1)) {
    await staff.get(`/manage/applications/${id}`);
    assert.equal((await staff.post(`/manage/applications/${id}/status`, { status: 'offered' })).statusCode, 303);
  }
  const last = ids[ids.length - 1]!;
  await staff.get(`/manage/applications/${last}`);
  const warned = await staff.post(`/manage/applications/${last}/status`, { status: 'offered' });
  assert.equal(warned.statusCode, 409);
  assert.match(warned.body, /This offer breaks the mix target/);
  assert.equal((await one('select status from applications where id = $1', [last])).status, 'shortlisted');
  assert.equal((await staff.post(`/manage/applications/${last}/status`, { status: 'offered', offerAnyway: 'yes' })).statusCode, 303);
  assert.equal((await one('select status from applications where id = $1', [last])).status, 'offered');
  assert.match((await staff.get(`/manage/cohorts/${openCohort}`)).body, /Target out of reach/);

  // Accepting for someone never offered a place: refused, unchanged.
  const applied = (await one(`select id from applications where cohort_id = $1 and status = 'applied' limit 1`, [openCohort])).id;
  await staff.get(`/manage/applications/${applied}`);
  const illegal = await staff.post(`/manage/applications/${applied}/status`, { status: 'accepted' });
  assert.equal(illegal.statusCode, 409);
  assert.match(illegal.body, /Only a place that has been offered/);
  assert.equal((await one('select status from applications where id = $1', [applied])).status, 'applied');

  // Notes and scores are for staff; a participant cannot see the review pages at all.
  await staff.post(`/manage/applications/${applied}/review`, { score: '4', notes: 'Strong local links' });
  assert.deepEqual(await one('select score, notes from applications where id = $1', [applied]), { score: 4, notes: 'Strong local links' });
  assert.equal((await staff.post(`/manage/applications/${applied}/review`, { score: '9' })).statusCode, 400);
  const participant = await signIn(t, 'demo-participant@coproduce.example');
  assert.equal((await participant.get(`/manage/cohorts/${openCohort}`)).statusCode, 404);
  assert.equal((await participant.get(`/manage/applications/${applied}`)).statusCode, 404);
});

test('an applicant accepts their offer, then sees their group, shown as each chose', async () => {
  const me = await signIn(t, 'demo-participant@coproduce.example');
  const list = await me.get('/account/applications');
  assert.match(list.body, /Yes, I want the place/);
  const id = (
    await one(`select a.id from applications a join people p on p.id = a.person_id where p.email = 'demo-participant@coproduce.example'`)
  ).id;
  assert.equal((await me.get(`/cohorts/${openCohort}`)).statusCode, 404, 'not a member until accepted');
  assert.equal((await me.post(`/account/applications/${id}`, { answer: 'accept' })).statusCode, 303);
  assert.equal((await one('select status from applications where id = $1', [id])).status, 'accepted');
  // A second click changes nothing and says so kindly.
  assert.match((await me.post(`/account/applications/${id}`, { answer: 'decline' })).headers.location as string, /problem=changed/);
  const group = await me.get(`/cohorts/${openCohort}`);
  assert.equal(group.statusCode, 200);
  assert.match(group.body, /Workshop day 1/);
  const shown = await me.post(`/cohorts/${openCohort}/membership`, { shownAs: 'hidden', alumniListed: 'no' });
  assert.match((await me.get(shown.headers.location as string)).body, /Saved: your group sees you as you chose\./);
  assert.equal((await one('select shown_as from applications where id = $1', [id])).shown_as, 'hidden');
  assert.doesNotMatch((await me.get(`/cohorts/${openCohort}`)).body, /<li>Joe Barker/);
  // A project update with nothing in it is refused with a message, and nothing is added.
  const project = await t.services.cohorts.createProject(
    { personId: (await one(`select id from people where email = 'demo-staff@coproduce.example'`)).id, role: 'staff' },
    openCohort,
    {
      title: 'Carers’ voices',
      aim: 'Carers heard at the board',
      memberIds: [(await one('select person_id from applications where id = $1', [id])).person_id],
      coLeadIds: [],
    },
  );
  await me.get(`/cohorts/${openCohort}`);
  const empty = await me.post(`/projects/${project.id}/updates`, { body: '  ' });
  assert.match((await me.get(empty.headers.location as string)).body, /Error: <\/span>Write the update/);
  assert.equal((await one('select count(*)::int as n from project_updates where project_id = $1', [project.id])).n, 0);
  const updated = await me.post(`/projects/${project.id}/updates`, { body: 'Met the carers’ group' });
  assert.match((await me.get(updated.headers.location as string)).body, /Your update is added to “Carers’ voices”/);
  assert.equal((await one('select count(*)::int as n from project_updates where project_id = $1', [project.id])).n, 1);
  // Their download holds the application and its answers.
  const exported = JSON.parse((await me.get('/account/export')).body);
  assert.equal(exported.applications[0].status, 'accepted');
  assert.match(exported.applications[0].answers.why, /brother/);
});

test('coaching notes are for the coach and the person coached, not staff', async () => {
  const staff = await signIn(t, 'demo-staff@coproduce.example');
  const member = (
    await one(
      `select a.person_id from applications a join people p on p.id = a.person_id where a.cohort_id = $1 and a.status = 'accepted' and p.email = 'demo-participant@coproduce.example'`,
      [openCohort],
    )
  ).person_id;
  const coach = (await one(`select id from people where email = 'demo-facilitator@coproduce.example'`)).id;
  await staff.get(`/manage/cohorts/${openCohort}/coaching`);
  const bad = await staff.post(`/manage/cohorts/${openCohort}/coaching`, {
    participantId: member,
    coachId: coach,
    'date[day]': '31',
    'date[month]': '2',
    'date[year]': '2027',
    time: '2pm',
  });
  assert.equal(bad.statusCode, 400);
  const year = new Date().getUTCFullYear() + 1;
  assert.equal(
    (
      await staff.post(`/manage/cohorts/${openCohort}/coaching`, {
        participantId: member,
        coachId: coach,
        'date[day]': '3',
        'date[month]': '3',
        'date[year]': String(year),
        time: '2pm',
      })
    ).statusCode,
    303,
  );
  const id = (await one('select id from coaching_sessions where participant_id = $1', [member])).id;
  const coachWeb = await signIn(t, 'demo-facilitator@coproduce.example');
  await coachWeb.get(`/coaching/${id}`);
  assert.equal((await coachWeb.post(`/coaching/${id}`, { status: 'done', notes: 'Talked about speaking at the board' })).statusCode, 303);
  const memberWeb = await signIn(t, 'demo-participant@coproduce.example');
  assert.match((await memberWeb.get(`/coaching/${id}`)).body, /Talked about speaking at the board/);
  assert.equal((await memberWeb.post(`/coaching/${id}`, { status: 'done', notes: 'changed' })).statusCode, 403);
  assert.equal((await staff.get(`/coaching/${id}`)).statusCode, 404);
  assert.doesNotMatch((await staff.get(`/manage/cohorts/${openCohort}/coaching`)).body, /speaking at the board/);
});

test('the finished pilot: graduation page, a second graduation refused, certificate pages, PDF, checking an altered credential', async () => {
  const staff = await signIn(t, 'demo-staff@coproduce.example');
  const page = await staff.get(`/manage/cohorts/${pilot}/graduation`);
  assert.match(page.body, /Came to 1 of 3 workshop days; needs 2/);
  assert.doesNotMatch(page.body, /Confirm graduation/);
  const twice = await staff.post(`/manage/cohorts/${pilot}/graduation`);
  assert.equal(twice.statusCode, 409);
  assert.match(twice.body, /already been issued/);

  const cert = await one('select serial, name, credential from certificates where cohort_id = $1 order by name limit 1', [pilot]);
  const visitor = new WebClient(t.app);
  const shown = await visitor.get(`/certificates/${cert.serial}`);
  assert.equal(shown.statusCode, 200);
  assert.match(shown.body, /Valid/);
  assert.ok(shown.body.includes(cert.name));
  const pdf = await visitor.get(`/certificates/${cert.serial}/certificate.pdf`);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const text = await pdfText(pdf.rawPayload);
  for (const want of [cert.name, 'Leading Together (demo)', '2018 learning disabilities pilot', '28 November 2018', cert.serial])
    assert.ok(text.includes(want), want);
  assert.equal((await visitor.get('/certificates?serial=ZZZZ-ZZZZ-ZZZZ')).statusCode, 404);
  assert.equal((await visitor.get(`/certificates?serial=${cert.serial.toLowerCase()}`)).headers.location, `/certificates/${cert.serial}`);

  await visitor.get('/certificates');
  const genuine = await visitor.post('/certificates/check', { credential: JSON.stringify(cert.credential) });
  assert.match(genuine.body, /Genuine/);
  const altered = structuredClone(cert.credential);
  altered.credentialSubject.achievement.name = 'Doctor of Medicine';
  const refused = await visitor.post('/certificates/check', { credential: JSON.stringify(altered) });
  assert.match(refused.body, /changed since it was issued/);
  assert.equal((await visitor.post('/certificates/check', { credential: 'hello' })).statusCode, 400);
});

test('applicants reached by phone are listed to call when staff move their application, until someone records the call', async () => {
  const staff = await signIn(t, 'demo-staff@coproduce.example');
  const answers = { why: 'To be heard', area: 'Oxfordshire', days: 'yes' };
  const applicant = async (name: string, contact: Record<string, string>) => {
    const p = await t.services.people.create(null, { name, experience: 'lived', ...contact });
    const { application } = await t.services.programmes.apply({ personId: p.id, role: 'participant' }, openCohort, {
      who: { personId: p.id },
      answers,
    });
    return { person: p, application };
  };
  const phil = await applicant('Phil Phoned', { email: 'phil.phoned@example.org', phone: '01632 960555', contactPreference: 'phone' });
  const emma = await applicant('Emma Emailed', { email: 'emma.emailed@example.org', phone: '01632 960556' });
  const wendy = await applicant('Wendy Withdraws', { phone: '01632 960557', contactPreference: 'phone' });
  const list = () => staff.get(`/manage/cohorts/${openCohort}/to-call`);
  assert.doesNotMatch((await list()).body, /Phil Phoned|Emma Emailed|Wendy Withdraws/, 'applying is not a move staff made');

  for (const { application } of [phil, emma]) {
    await staff.get(`/manage/applications/${application.id}`);
    const moved = await staff.post(`/manage/applications/${application.id}/status`, { status: 'shortlisted' });
    assert.equal(moved.statusCode, 303);
  }
  const banner = await staff.get(`/manage/cohorts/${openCohort}?moved=${phil.application.id}`);
  assert.match(banner.body, /Moved Phil Phoned to shortlisted and emailed them\. They are on the list of people to phone\./);
  // Wendy withdraws herself: she knows, so nobody needs to phone her.
  await t.services.programmes.changeStatus({ personId: wendy.person.id, role: 'participant' }, wendy.application.id, 'withdrawn');

  let page = await list();
  assert.match(page.body, /Phil Phoned/);
  assert.match(page.body, /href="tel:01632960555"/);
  assert.match(page.body, /They are on the shortlist/);
  assert.doesNotMatch(page.body, /Emma Emailed/, 'reached by email: not listed');
  assert.doesNotMatch(page.body, /Wendy Withdraws/, 'her own move: not listed');

  // Someone else's cohort id, or an id that is not an application in this cohort, records nothing.
  assert.equal((await staff.post(`/manage/cohorts/${pilot}/to-call/${phil.application.id}`)).statusCode, 404);
  const called = await staff.post(`/manage/cohorts/${openCohort}/to-call/${phil.application.id}`);
  assert.equal(called.statusCode, 303);
  page = await staff.get(called.headers.location as string);
  assert.match(page.body, /Recorded that you phoned Phil Phoned\./);
  assert.doesNotMatch(page.body, /Phil Phoned<\/a>/);
  // A double click records one call.
  await staff.post(`/manage/cohorts/${openCohort}/to-call/${phil.application.id}`);
  const calls = await one(`select count(*)::int as n from audit_log where action = 'application.phoned' and subject_id = $1`, [
    phil.application.id,
  ]);
  assert.equal(calls.n, 1);

  // The next move puts them back on the list.
  await staff.get(`/manage/applications/${phil.application.id}`);
  await staff.post(`/manage/applications/${phil.application.id}/status`, { status: 'waiting' });
  assert.match((await list()).body, /They are on the waiting list/);
});
