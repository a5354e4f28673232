import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

describe('the staff home page, "Your work"', () => {
  let t: TestApp;
  let db: pg.Client;
  let token: string;
  let admin: { personId: string; role: 'admin' };
  const api = apiCaller(
    () => t.app,
    () => token,
  );

  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    ({ admin, token } = await createAdminWithToken(t.services));
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  test('staff land on their work after signing in and see real counts; a participant has no such page', async () => {
    await createPerson(t.services, { email: 'sam.staff@example.org', name: 'Sam Staff' }, 'staff');
    const participant = await createPerson(t.services, { email: 'pat@example.org', name: 'Pat Participant' });
    const me = { personId: participant.id, role: 'participant' as const };

    // An upcoming event with 2 of 4 places taken and one of the two on the waiting list.
    const { event, session } = await createEventWithSession(t.services, admin, { capacity: 2, title: 'Spring festival' });
    for (const p of [participant, await createPerson(t.services), await createPerson(t.services)])
      await t.services.registrations.register({ personId: p.id, role: 'participant' }, { sessionId: session.id, who: { personId: p.id } });
    // An event that is over does not show.
    await db.query(
      `insert into events (title, summary, starts_at, ends_at, status) values ('Long gone', 's', now() - interval '3 days', now() - interval '2 days', 'published')`,
    );

    // Two applications waiting in one cohort (one new, one shortlisted), one decided.
    const applicationForm = await t.services.forms.create(admin, { title: 'Application', anonymous: false, questions: [] });
    const programme = (
      await api('POST', '/api/v1/programmes', {
        title: 'Leaders',
        summary: 's',
        placesPerCohort: 4,
        applicationFormId: applicationForm.id,
        graduationRule: { minSessionsAttended: 0, projectRequired: false },
      })
    ).json();
    const cohort = (
      await api('POST', `/api/v1/programmes/${programme.id}/cohorts`, {
        name: 'Autumn',
        startsOn: '2099-01-05',
        endsOn: '2099-03-01',
        places: 4,
      })
    ).json();
    const applicants = [await createPerson(t.services), await createPerson(t.services), await createPerson(t.services)];
    const apps = [];
    for (const a of applicants) apps.push((await t.services.programmes.apply(admin, cohort.id, { who: { personId: a.id } })).application);
    await t.services.programmes.changeStatus(admin, apps[1]!.id, 'shortlisted');
    await t.services.programmes.changeStatus(admin, apps[2]!.id, 'unsuccessful');

    // An open form with one response; a draft form is not listed.
    const open = await t.services.forms.create(admin, {
      title: 'Festival feedback',
      anonymous: false,
      questions: [{ key: 'rating', type: 'rating', text: 'How was it?' }],
    });
    await t.services.forms.setStatus(admin, open.id, 'open');
    await t.services.forms.respond(open.id, { person: participant }, { rating: 'good' }, { allowEdit: false });
    await t.services.forms.create(admin, { title: 'Draft form', anonymous: false, questions: [] });

    // Waiting for a decision: two claims, one story, one erasure request.
    for (let i = 0; i < 2; i++)
      await db.query(
        `insert into claims (person_id, status, pay_as, time_pence, expenses_pence, total_pence, submitted_at) values ($1, 'submitted', 'bank', 100, 0, 100, now())`,
        [participant.id],
      );
    await t.services.stories.submit(
      me,
      { title: 'My story', body: 'The nurse listened.', authorName: 'Pat', consent: { publish: true, showName: false, quote: false } },
      { source: 'web' },
    );
    const leaving = await createPerson(t.services);
    await t.services.people.requestErasure({ personId: leaving.id, role: 'participant' }, leaving.id);

    const staff = new WebClient(t.app);
    await staff.get('/sign-in');
    await staff.post('/sign-in', { email: 'sam.staff@example.org' });
    const link = new URL(
      /https?:\/\/\S+\/sign-in\/verify\?token=[A-Za-z0-9_-]+/.exec((await t.waitForEmail('sam.staff@example.org')).body)![0],
    );
    await staff.get(link.pathname + link.search);
    const landed = await staff.post('/sign-in/verify', { token: link.searchParams.get('token')! });
    assert.equal(landed.statusCode, 303);
    assert.equal(landed.headers.location, '/work', 'staff land on their work');

    const page = await staff.get('/work');
    assert.equal(page.statusCode, 200);
    const words = text(page.body);
    assert.match(page.body, /<h1>Your work<\/h1>/);
    assert.match(page.body, /href="\/work"[^>]*>\s*Your work|Your work[\s\S]*?href="\/work"/, 'in the navigation');
    assert.match(words, /Spring festival/);
    assert.match(page.body, new RegExp(`href="/manage/events/${event.id}"`));
    assert.match(words, /2 of 2 \(100% full\)/);
    assert.doesNotMatch(words, /Long gone/);
    assert.match(words, /2 applications to review/);
    assert.match(words, /Leaders: Autumn New 1 Shortlisted 1/);
    assert.match(words, /Festival feedback : 1 response\b/);
    assert.doesNotMatch(words, /Draft form/);
    assert.match(words, /2 claims to approve/);
    assert.match(words, /1 story to moderate/);
    assert.match(words, /1 erasure request to confirm/);
    assert.equal((await staff.get('/sign-in')).headers.location, '/work', 'signed in already: back to their work');

    const pat = await signIn(t, 'pat@example.org');
    const patLanded = await pat.get('/sign-in');
    assert.equal(patLanded.headers.location, '/account', 'a participant still lands on their account');
    const denied = await pat.get('/work');
    assert.equal(denied.statusCode, 303);
    assert.equal(denied.headers.location, '/account');
    assert.doesNotMatch((await pat.get('/account')).body, /href="\/work"/, 'not in a participant’s navigation');
    assert.equal((await new WebClient(t.app).get('/work')).statusCode, 303, 'signed out: asked to sign in');
  });

  test('with nothing to do, the page says so', async () => {
    const fresh = await startTestApp();
    try {
      await createPerson(fresh.services, { email: 'quiet@example.org' }, 'admin');
      const words = text((await (await signIn(fresh, 'quiet@example.org')).get('/work')).body);
      assert.match(words, /Nothing is waiting for a decision/);
      assert.match(words, /No events are coming up/);
      assert.match(words, /No applications are waiting for review/);
      assert.match(words, /No forms are open/);
    } finally {
      await fresh.close();
    }
  });
});
