import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { aPerson, createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { pdfText } from '../../../test/pdf.ts';
import { apiCaller } from '../../../test/web-client.ts';
import { verifyCredential } from './credential.ts';

let t: TestApp;
let db: pg.Client;
let token: string;
let admin: { personId: string; role: 'admin' };
const api = apiCaller(
  () => t.app,
  () => token,
);
const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];

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

/** A programme (half the places for lived experience; 2 of the workshop days and a project to graduate) with one cohort. */
async function programmeWithCohort(places = 4) {
  const p = await api('POST', '/api/v1/programmes', {
    title: 'Leading Together',
    summary: 'Patients, carers and professionals learn to lead together.',
    placesPerCohort: 20,
    mixTarget: { livedMinShare: 0.5 },
    graduationRule: { minSessionsAttended: 2, projectRequired: true },
  });
  assert.equal(p.statusCode, 201, p.body);
  const c = await api('POST', `/api/v1/programmes/${p.json().id}/cohorts`, {
    name: 'Autumn pilot',
    startsOn: '2026-09-01',
    endsOn: '2026-11-30',
    places,
  });
  assert.equal(c.statusCode, 201, c.body);
  const cohortId = c.json().id as string;
  const sessions: string[] = [];
  for (const [i, day] of ['2026-09-10', '2026-10-08', '2026-11-05'].entries()) {
    const s = await api('POST', `/api/v1/cohorts/${cohortId}/sessions`, {
      title: `Workshop day ${i + 1}`,
      startsAt: `${day}T09:30:00+01:00`,
      endsAt: `${day}T16:00:00+01:00`,
      format: 'in_person',
      capacity: 25,
      venue: { name: 'The Kassam Room', stepFree: true },
    });
    assert.equal(s.statusCode, 201, s.body);
    assert.equal(s.json().kind, 'workshop');
    sessions.push(s.json().id);
  }
  const catchUp = await api('POST', `/api/v1/cohorts/${cohortId}/sessions`, {
    title: 'Online catch-up',
    kind: 'catch_up',
    startsAt: '2026-10-20T18:00:00+01:00',
    endsAt: '2026-10-20T19:00:00+01:00',
    format: 'online',
    capacity: 25,
    joinUrl: 'https://meet.example.org/lt',
  });
  assert.equal(catchUp.statusCode, 201, catchUp.body);
  return { programmeId: p.json().id as string, cohortId, workshops: sessions, catchUp: catchUp.json().id as string };
}

const status = (id: string, to: string) => api('POST', `/api/v1/applications/${id}/status`, { status: to });

describe('applications and selection through the API', () => {
  test('apply, move through the allowed steps, the mix warning, the places limit, and the cohort’s mix', async () => {
    const { cohortId } = await programmeWithCohort(4);
    const apply = (experience: 'lived' | 'professional', n: number) =>
      api('POST', `/api/v1/cohorts/${cohortId}/applications`, { person: aPerson({ experience, name: `${experience} applicant ${n}` }) });
    const pros = [];
    const lived = [];
    for (let i = 0; i < 3; i++) pros.push((await apply('professional', i)).json());
    for (let i = 0; i < 3; i++) lived.push((await apply('lived', i)).json());
    assert.deepEqual(
      pros.map((a) => a.status),
      ['applied', 'applied', 'applied'],
    );

    // The same person again: the first application, with 200.
    const again = await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { personId: pros[0].personId });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, pros[0].id);

    // Accepting a place never offered: 409, and nothing changes.
    const auditBefore = (await one(`select count(*)::int as n from audit_log where action = 'application.status'`)).n;
    const illegal = await status(pros[0].id, 'accepted');
    assert.equal(illegal.statusCode, 409);
    assert.match(illegal.json().detail, /Only a place that has been offered/);
    assert.equal((await one('select status from applications where id = $1', [pros[0].id])).status, 'applied');
    assert.equal((await one(`select count(*)::int as n from audit_log where action = 'application.status'`)).n, auditBefore);
    assert.equal((await status(pros[0].id, 'offered')).statusCode, 409, 'must be shortlisted first');
    assert.equal((await status(pros[0].id, 'graduated')).statusCode, 400);

    for (const a of [...pros, ...lived]) assert.equal((await status(a.id, 'shortlisted')).statusCode, 200);
    // Two professionals fit the target (2 of 4 places for lived experience); the third is warned but stands.
    assert.deepEqual((await status(pros[0].id, 'offered')).json().warnings, []);
    assert.deepEqual((await status(pros[1].id, 'offered')).json().warnings, []);
    const third = await status(pros[2].id, 'offered');
    assert.equal(third.statusCode, 200);
    assert.match(third.json().warnings[0], /at least 2 of 4 places for people with lived experience/);
    assert.equal((await status(lived[0].id, 'offered')).statusCode, 200);
    // All four places are held or offered: a fifth offer is refused and changes nothing.
    const over = await status(lived[1].id, 'offered');
    assert.equal(over.statusCode, 409);
    assert.match(over.json().detail, /All 4 places/);
    assert.equal((await one('select status from applications where id = $1', [lived[1].id])).status, 'shortlisted');

    // Declining frees the place for the next offer.
    assert.equal((await status(pros[2].id, 'declined')).statusCode, 200);
    assert.equal((await status(pros[2].id, 'accepted')).statusCode, 409, 'declined is final');
    assert.equal((await status(lived[1].id, 'offered')).statusCode, 200);
    for (const a of [pros[0], pros[1], lived[0], lived[1]]) assert.equal((await status(a.id, 'accepted')).statusCode, 200);

    const cohort = (await api('GET', `/api/v1/cohorts/${cohortId}`)).json();
    assert.equal(cohort.places, 4);
    assert.equal(cohort.members, 4);
    assert.deepEqual(cohort.mix, { lived: 2, professional: 2, both: 0 });
    assert.equal(cohort.sessions.length, 4);

    // Fewer places than people holding them: refused.
    await assert.rejects(
      t.services.programmes.updateCohort(admin, cohortId, {
        name: 'Autumn pilot',
        startsOn: '2026-09-01',
        endsOn: '2026-11-30',
        places: 3,
      }),
      /at least 4 places/,
    );

    const list = await api('GET', `/api/v1/cohorts/${cohortId}/applications?limit=4`);
    assert.equal(list.json().items.length, 4);
    const rest = await api('GET', `/api/v1/cohorts/${cohortId}/applications?cursor=${list.json().nextCursor}`);
    assert.equal(rest.json().items.length, 2);
    assert.equal(rest.json().nextCursor, null);

    // Each step was emailed in plain words.
    const offer = await t.waitForEmail(
      lived[1].personId ? (await one('select email from people where id = $1', [lived[1].personId])).email : '',
      { subject: /offering you a place/ },
    );
    assert.match(offer.body, /Please tell us yes or no here: .*\/account\/applications/);
  });

  test('bad input: unknown cohort, someone else’s ids, answers the form does not ask, closed cohorts', async () => {
    const { cohortId } = await programmeWithCohort();
    assert.equal(
      (await api('POST', '/api/v1/cohorts/00000000-0000-4000-8000-000000000000/applications', { person: aPerson() })).statusCode,
      404,
    );
    const notAnId = await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { personId: 'not-an-id' });
    assert.equal(notAnId.statusCode, 404, notAnId.body);
    const bad = await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { person: aPerson(), answers: { why: 'I want to help' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].path, 'answers.why');
    assert.equal((await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { person: { name: '' } })).statusCode, 400);
    assert.equal((await api('POST', `/api/v1/cohorts/${cohortId}/applications`, '{"person": ')).statusCode, 400);
    assert.equal(
      (await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { person: aPerson(), helpedBy: 'x'.repeat(200_000) })).statusCode,
      413,
    );
    assert.equal(
      (await api('POST', '/api/v1/programmes', { title: 'x', summary: 'y', placesPerCohort: 20, mixTarget: { livedMinShare: 2 } }))
        .statusCode,
      400,
    );
    assert.equal(
      (
        await api('POST', `/api/v1/programmes/00000000-0000-4000-8000-000000000000/cohorts`, {
          name: 'x',
          startsOn: '2026-01-01',
          endsOn: '2026-02-01',
        })
      ).statusCode,
      404,
    );
    const backwards = await api('POST', `/api/v1/cohorts/${cohortId}/sessions`, {
      title: 'Outside',
      startsAt: '2027-01-10T09:00:00Z',
      endsAt: '2027-01-10T10:00:00Z',
      format: 'online',
      capacity: 5,
      joinUrl: 'https://meet.example.org/x',
    });
    assert.equal(backwards.statusCode, 400);
    assert.equal((await one('select count(*)::int as n from applications where cohort_id = $1', [cohortId])).n, 0, 'nothing half-written');
    const participant = await createPerson(t.services, { email: 'pat@example.org' });
    const theirs = await t.services.auth.createApiToken(null, participant.id, 'theirs');
    assert.equal((await api('GET', `/api/v1/cohorts/${cohortId}`, undefined, theirs)).statusCode, 403);
    // Closed to applications: a clear refusal.
    await t.services.programmes.updateCohort(admin, cohortId, {
      name: 'Autumn pilot',
      startsOn: '2026-09-01',
      endsOn: '2026-11-30',
      applicationsOpen: false,
    });
    const closed = await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { person: aPerson() });
    assert.equal(closed.statusCode, 409);
    assert.match(closed.json().detail, /closed/);
  });
});

describe('attendance, projects, graduation and certificates', () => {
  test('graduating gives certificates to those who met the rule, says why the others have not, and only once', async () => {
    const { cohortId, workshops, catchUp } = await programmeWithCohort(4);
    const people: { id: string }[] = [];
    for (const [i, experience] of (['lived', 'lived', 'professional', 'professional'] as const).entries()) {
      const person = await createPerson(t.services, {
        experience,
        name: ['Sam Okafor', 'Jo Reid', 'Dr Priya Shah', 'Tom Hughes'][i]!,
        email: `grad${i}@example.org`,
      });
      const a = (await api('POST', `/api/v1/cohorts/${cohortId}/applications`, { personId: person.id })).json();
      for (const s of ['shortlisted', 'offered', 'accepted']) assert.equal((await status(a.id, s)).statusCode, 200);
      people.push(person);
    }
    const outsider = await createPerson(t.services, {});
    const mark = (sessionId: string, personId: string, attended = true) =>
      api('POST', `/api/v1/sessions/${sessionId}/attendance`, { personId, attended });
    assert.equal((await mark(workshops[0]!, outsider.id)).statusCode, 400, 'only members are marked');
    // Sam and Priya come to all three; Jo to one workshop and the catch-up; Tom to two but no presentation.
    for (const w of workshops) for (const p of [people[0]!, people[2]!]) assert.equal((await mark(w, p.id)).statusCode, 200);
    await mark(workshops[0]!, people[1]!.id);
    await mark(catchUp, people[1]!.id);
    await mark(workshops[0]!, people[3]!.id);
    await mark(workshops[1]!, people[3]!.id);
    await mark(workshops[2]!, people[3]!.id, true);
    await mark(workshops[2]!, people[3]!.id, false); // a mistake, corrected

    const presented = await t.services.cohorts.createProject(admin, cohortId, {
      title: 'Easy read appointment letters',
      aim: 'Letters people can read',
      memberIds: [people[0]!.id, people[1]!.id, people[2]!.id],
      coLeadIds: [people[0]!.id, people[2]!.id],
    });
    await t.services.cohorts.setPresented(admin, presented.id, true);
    await t.services.cohorts.createProject(admin, cohortId, {
      title: 'Waiting room',
      aim: 'A calmer waiting room',
      memberIds: [people[3]!.id],
      coLeadIds: [],
    });
    const projects = await t.services.cohorts.projects(cohortId);
    assert.deepEqual(projects.find((p) => p.title === 'Waiting room')!.flags, ['No one with lived experience']);

    const grad = await api('POST', `/api/v1/cohorts/${cohortId}/graduation`);
    assert.equal(grad.statusCode, 200, grad.body);
    const body = grad.json();
    assert.deepEqual(new Set(body.graduated), new Set([people[0]!.id, people[2]!.id]));
    const reasons = Object.fromEntries(body.notYet.map((n: { personId: string; reason: string }) => [n.personId, n.reason]));
    assert.equal(reasons[people[1]!.id], 'Came to 1 of 3 workshop days; needs 2');
    assert.equal(reasons[people[3]!.id], 'Their project “Waiting room” has not been presented yet');
    assert.equal(body.certificates.length, 2);

    // Twice: refused, nothing more issued.
    const twice = await api('POST', `/api/v1/cohorts/${cohortId}/graduation`);
    assert.equal(twice.statusCode, 409);
    assert.match(twice.json().detail, /already been issued/);
    assert.equal((await one('select count(*)::int as n from certificates where cohort_id = $1', [cohortId])).n, 2);

    // Anyone can check a certificate, without a token, and learns nothing else about the person.
    const sam = body.certificates.find((c: { personId: string }) => c.personId === people[0]!.id).serial as string;
    const check = await api('GET', `/api/v1/certificates/${sam}`, undefined, null);
    assert.equal(check.statusCode, 200);
    assert.deepEqual(Object.keys(check.json()).sort(), ['achievement', 'issuedOn', 'issuer', 'name', 'serial', 'status']);
    assert.equal(check.json().name, 'Sam Okafor');
    assert.equal(check.json().status, 'valid');
    assert.equal(
      (await api('GET', `/api/v1/certificates/${sam.toLowerCase().replace(/-/g, ' ')}`, undefined, null)).json().serial,
      sam,
      'typed loosely from paper',
    );
    assert.equal((await api('GET', '/api/v1/certificates/AAAA-BBBB-CCCC', undefined, null)).statusCode, 404);
    assert.equal((await api('GET', '/api/v1/certificates/nonsense', undefined, null)).statusCode, 404);

    // The credential: an Open Badges 3.0 VC whose signature checks out, signed by the issuer's published key.
    const credential = (await api('GET', `/api/v1/certificates/${sam}/credential.json`, undefined, null)).json();
    assert.deepEqual(credential.type, ['VerifiableCredential', 'OpenBadgeCredential']);
    assert.equal(credential.credentialSubject.identifier[0].identityHash, 'Sam Okafor');
    assert.equal(credential.credentialSubject.achievement.name, 'Leading Together');
    const proof = verifyCredential(credential);
    assert.ok(proof.ok);
    const issuer = (await api('GET', '/api/v1/issuer', undefined, null)).json();
    assert.equal(issuer.verificationMethod[0].id, credential.proof.verificationMethod);
    assert.deepEqual((await api('POST', '/api/v1/credentials/verify', credential, null)).json(), {
      verified: true,
      certificate: check.json(),
    });

    // Altered (a name swapped in): the signature breaks.
    const altered = structuredClone(credential);
    altered.credentialSubject.identifier[0].identityHash = 'Jo Reid';
    const alteredCheck = (await api('POST', '/api/v1/credentials/verify', altered, null)).json();
    assert.equal(alteredCheck.verified, false);
    assert.match(alteredCheck.reason, /changed since it was issued/);

    // The PDF carries the name, programme, cohort, serial and where to check it.
    const text = await pdfText(await t.services.certificates.pdf(await t.services.certificates.get(sam), 'Autumn pilot'));
    for (const want of ['Sam Okafor', 'Leading Together', 'Autumn pilot', sam, `/certificates/${sam}`])
      assert.ok(text.includes(want), want);

    // Revoked: the status says so; the credential stays genuine but is reported revoked.
    const revoke = await api('POST', `/api/v1/certificates/${sam}/revoke`, { reason: 'Issued in error' });
    assert.equal(revoke.json().status, 'revoked');
    assert.equal((await api('POST', `/api/v1/certificates/${sam}/revoke`, { reason: 'Again' })).statusCode, 409);
    assert.equal((await api('GET', `/api/v1/certificates/${sam}`, undefined, null)).json().status, 'revoked');
    const revokedCheck = (await api('POST', '/api/v1/credentials/verify', credential, null)).json();
    assert.equal(revokedCheck.verified, false);
    assert.match(revokedCheck.reason, /revoked/);
    assert.match(await pdfText(await t.services.certificates.pdf(await t.services.certificates.get(sam), 'Autumn pilot')), /REVOKED/);

    // Graduates are emailed a link to their certificate.
    const email = await t.waitForEmail('grad2@example.org', { subject: /graduated/ });
    assert.ok(email.body.includes('/certificates/'));
  });

  test('a cohort with no members cannot graduate; attendance on an event session checks in a registration', async () => {
    const { cohortId } = await programmeWithCohort();
    const empty = await api('POST', `/api/v1/cohorts/${cohortId}/graduation`);
    assert.equal(empty.statusCode, 409);
    assert.equal((await one('select graduated_at from cohorts where id = $1', [cohortId])).graduated_at, null);

    const ev = (
      await api('POST', '/api/v1/events', {
        title: 'Conference',
        summary: 'A day',
        startsAt: '2030-04-15T09:00:00+01:00',
        endsAt: '2030-04-15T17:00:00+01:00',
      })
    ).json();
    await api('POST', `/api/v1/events/${ev.id}/publish`);
    const s = (
      await api('POST', `/api/v1/events/${ev.id}/sessions`, {
        title: 'Welcome',
        startsAt: '2030-04-15T09:30:00+01:00',
        endsAt: '2030-04-15T10:30:00+01:00',
        format: 'online',
        capacity: 10,
        joinUrl: 'https://meet.example.org/w',
      })
    ).json();
    const person = await createPerson(t.services, {});
    assert.equal(
      (await api('POST', `/api/v1/sessions/${s.id}/attendance`, { personId: person.id, attended: true })).statusCode,
      404,
      'not registered',
    );
    const r = (await api('POST', `/api/v1/sessions/${s.id}/registrations`, { personId: person.id })).json();
    assert.equal((await api('POST', `/api/v1/sessions/${s.id}/attendance`, { personId: person.id, attended: true })).json().attended, true);
    assert.equal((await one('select status from registrations where id = $1', [r.id])).status, 'attended');
    assert.equal(
      (await api('POST', `/api/v1/sessions/${s.id}/attendance`, { personId: person.id, attended: false })).json().attended,
      false,
    );
    assert.equal((await one('select status from registrations where id = $1', [r.id])).status, 'confirmed');
    assert.equal((await api('POST', `/api/v1/sessions/${s.id}/attendance`, { personId: person.id, attended: 'yes' })).statusCode, 400);
  });
});

test('erasure reaches programme records: answers and notes go, certificates are revoked and lose the name', async () => {
  const p = (await api('POST', '/api/v1/programmes', { title: 'Erasure programme', summary: 's', placesPerCohort: 2 })).json();
  const c = (await api('POST', `/api/v1/programmes/${p.id}/cohorts`, { name: 'c', startsOn: '2026-01-01', endsOn: '2026-02-01' })).json();
  const person = await createPerson(t.services, { name: 'Erin Erased' });
  const a = (await api('POST', `/api/v1/cohorts/${c.id}/applications`, { personId: person.id })).json();
  for (const s of ['shortlisted', 'offered', 'accepted']) await status(a.id, s);
  await t.services.programmes.review(admin, a.id, { score: 3, notes: 'Talked about her diagnosis' });
  const { certificates } = (await api('POST', `/api/v1/cohorts/${c.id}/graduation`)).json();
  await t.services.people.requestErasure({ personId: person.id, role: 'participant' }, person.id);
  await t.services.people.confirmErasure(admin, person.id);
  assert.deepEqual(await one('select answers, notes from applications where id = $1', [a.id]), { answers: {}, notes: null });
  const check = (await api('GET', `/api/v1/certificates/${certificates[0].serial}`, undefined, null)).json();
  assert.equal(check.status, 'revoked');
  assert.doesNotMatch(check.name, /Erin/);
  assert.equal((await api('GET', `/api/v1/certificates/${certificates[0].serial}/credential.json`, undefined, null)).statusCode, 404);
  assert.doesNotMatch(JSON.stringify(await one('select * from certificates where person_id = $1', [person.id])), /Erin/);
});
