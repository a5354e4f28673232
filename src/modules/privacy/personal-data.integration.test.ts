import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller } from '../../../test/web-client.ts';
import { connect } from '../../db/client.ts';
import { personalDataCoverage } from './personal-data.ts';

/**
 * Everything that identifies a person or describes their health, written through the product's
 * own paths (registration, forms, applications, coaching, projects, sign-in, email), each with a
 * word found nowhere else, so the database and the outbox can be searched for them afterwards.
 */
const MARK = {
  name: 'Zephyrine Quillfeather',
  email: 'zq.private@example.org',
  phone: '07700 900123',
  label: 'Zeph Quill',
  accessNotes: 'Epilepsy: flashing lights bring on seizures',
  registrationNotes: 'Seizure plan in my bag, quillmark-reg',
  formText: 'My seizures made the morning hard, quillmark-form',
  anonymousText: 'The quiet room helped me, quillmark-anon',
  answer: 'Quillshire Road',
  helper: 'Auntie Quillmark',
  reviewNotes: 'Talked about her diagnosis, quillmark-review',
  coachingNotes: 'Discussed her seizure plan, quillmark-coach',
  update: 'Quillfeather drafted the letter, quillmark-update',
  story: 'The nurse and the food bank got my mum home, quillmark-story',
};

describe('personal data: every table is declared, export gives everything, erasure leaves nothing', () => {
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

  test('every table and every column that refers to a person is declared with its export and erasure', async () => {
    const coverage = await personalDataCoverage(t.services.db, t.services.personalData.holders);
    assert.deepEqual(coverage, { undeclaredTables: [], undeclaredPersonColumns: [], staleDeclarations: [] });
  });

  test('a new table with a person reference and no declaration is caught', async () => {
    // On a copy, so the other tests keep the real schema.
    const copy = connect(t.databaseUrl, { max: 1 });
    try {
      await copy.pool.query('begin');
      await copy.pool.query('create table diary_entries (id serial primary key, person_id uuid references people(id), body text)');
      await copy.pool.query('alter table venues add column booked_by uuid references people(id)');
      const coverage = await personalDataCoverage(copy.db, t.services.personalData.holders);
      assert.deepEqual(coverage.undeclaredTables, ['diary_entries']);
      assert.deepEqual(coverage.undeclaredPersonColumns, ['diary_entries.person_id', 'venues.booked_by']);
    } finally {
      await copy.pool.query('rollback');
      await copy.close();
    }
  });

  /** The person, with something in every module. */
  async function aPersonWithEverything() {
    const person = await createPerson(t.services, {
      name: MARK.name,
      email: MARK.email,
      phone: MARK.phone,
      labelName: MARK.label,
      accessNeeds: ['step_free'],
      accessNotes: MARK.accessNotes,
    });
    const me = { personId: person.id, role: 'participant' as const };
    const { session } = await createEventWithSession(t.services, admin);
    await t.services.registrations.register(me, {
      sessionId: session.id,
      who: { personId: person.id },
      accessNeeds: ['support_worker'],
      accessNotes: MARK.registrationNotes,
    });
    await t.waitForEmail(MARK.email, { subject: /You have a place/ });
    await t.services.events.addSession(admin, session.eventId, {
      title: 'Led by them',
      startsAt: new Date(session.startsAt.getTime() + 4 * 3_600_000),
      endsAt: new Date(session.startsAt.getTime() + 5 * 3_600_000),
      format: 'online',
      capacity: 10,
      joinUrl: 'https://meet.example.org/x',
      facilitatorIds: [person.id],
    });

    for (const anonymous of [false, true]) {
      const form = await t.services.forms.create(admin, {
        title: anonymous ? 'Anonymous form' : 'Named form',
        anonymous,
        questions: [
          { key: 'rating', type: 'rating', text: 'How was it?' },
          { key: 'why', type: 'text', text: 'Why?' },
        ],
      });
      await t.services.forms.setStatus(admin, form.id, 'open');
      await t.services.forms.respond(
        form.id,
        { person },
        { rating: 'good', why: anonymous ? MARK.anonymousText : MARK.formText },
        { allowEdit: false, quoteConsent: 'named' },
      );
    }

    const applicationForm = await t.services.forms.create(admin, {
      title: 'Application',
      anonymous: false,
      questions: [{ key: 'where', type: 'text', text: 'Where do you live?' }],
    });
    const programme = (
      await api('POST', '/api/v1/programmes', {
        title: 'Privacy programme',
        summary: 's',
        placesPerCohort: 4,
        applicationFormId: applicationForm.id,
        graduationRule: { minSessionsAttended: 0, projectRequired: false },
      })
    ).json();
    const cohort = (
      await api('POST', `/api/v1/programmes/${programme.id}/cohorts`, {
        name: 'Spring',
        startsOn: '2026-01-05',
        endsOn: '2026-03-01',
        places: 4,
      })
    ).json();
    const application = await t.services.programmes.apply(me, cohort.id, {
      who: { personId: person.id },
      answers: { where: MARK.answer },
      helpedBy: MARK.helper,
    });
    for (const status of ['shortlisted', 'offered', 'accepted'] as const)
      await t.services.programmes.changeStatus(admin, application.application.id, status);
    await t.services.programmes.review(admin, application.application.id, { score: 4, notes: MARK.reviewNotes });
    const workshop = await t.services.programmes.addSession(admin, cohort.id, {
      title: 'Workshop day',
      kind: 'workshop',
      startsAt: new Date('2026-01-10T10:00:00Z'),
      endsAt: new Date('2026-01-10T15:00:00Z'),
      format: 'in_person',
      capacity: 4,
    });
    await t.services.cohorts.recordAttendance(admin, workshop.id, [{ personId: person.id, attended: true }]);
    const coach = await createPerson(t.services, { name: 'Coach Carter' }, 'facilitator');
    const coaching = await t.services.cohorts.bookCoaching(admin, cohort.id, {
      participantId: person.id,
      coachId: coach.id,
      startsAt: new Date('2026-01-20T10:00:00Z'),
    });
    await t.services.cohorts.recordCoaching({ personId: coach.id, role: 'facilitator' }, coaching.id, {
      notes: MARK.coachingNotes,
      status: 'done',
    });
    const project = await t.services.cohorts.createProject(admin, cohort.id, {
      title: 'Letters',
      aim: 'Easy read letters',
      memberIds: [person.id],
      coLeadIds: [person.id],
    });
    await t.services.cohorts.addUpdate(me, project.id, MARK.update);
    await t.services.certificates.graduate(admin, cohort.id);

    // A team chat they led: their name and contact details, not the team's reflections.
    const conversation = await t.services.conversations.create(admin, {
      title: 'Privacy chat',
      summary: 's',
      questions: [{ key: 'felt', text: 'How has it felt?' }],
      opensOn: '2026-01-01',
      closesOn: '2099-01-01',
    });
    await t.services.conversations.setStatus(admin, conversation.id, 'open');
    await t.services.conversations.recordChat(me, conversation.id, {
      teamName: 'Quill team',
      organisation: 'Quill org',
      sector: 'third_sector',
      heldOn: '2026-02-01',
      peopleCount: 4,
      answers: { felt: 'Busy' },
      pledges: ['Ring the GP'],
      leadName: MARK.name,
      leadEmail: MARK.email,
      leadPhone: MARK.phone,
    });
    await t.waitForEmail(MARK.email, { subject: /Thank you for your team chat/ });
    await t.services.stories.submit(
      me,
      {
        title: 'Joined-up care',
        body: MARK.story,
        authorName: MARK.name,
        authorEmail: MARK.email,
        conversationId: conversation.id,
        consent: { publish: true, showName: true, quote: true },
      },
      { source: 'web' },
    );

    await t.services.consents.give(person.id, person.id, 'story_publishing');
    await t.services.auth.createApiToken(null, person.id, 'their own script');
    await t.services.auth.requestSignIn(MARK.email, '203.0.113.9');
    await t.waitForEmail(MARK.email, { subject: /link to sign in/ });
    return { person, me };
  }

  test('the download holds every module’s part: registrations with access notes, answers, programme records', async () => {
    const { person } = await aPersonWithEverything();
    let data: Record<string, unknown>;
    try {
      data = (await t.services.people.exportFor(person.id)) as Record<string, unknown>;
    } finally {
      await cleanUp(person.id);
    }
    const text = JSON.stringify(data);
    for (const [what, value] of Object.entries(MARK)) {
      if (what === 'anonymousText') continue; // not stored with their name, so not theirs to download
      assert.ok(text.includes(value), `the download has the ${what}`);
    }
    assert.ok(!text.includes(MARK.anonymousText), 'an anonymous answer is not linked to the person');
    for (const key of [
      'person',
      'consents',
      'activity',
      'signInLinks',
      'apiTokens',
      'registrations',
      'facilitating',
      'responses',
      'applications',
      'attendance',
      'coaching',
      'projects',
      'projectUpdates',
      'certificates',
      'teamChatsLed',
    ]) {
      assert.ok(key in data, `the download has ${key}`);
    }
    assert.equal((data.attendance as { attended: boolean }[])[0]!.attended, true);
  });

  test('after erasure nothing in any table, job row or outbox file names the person or describes their health', async () => {
    const { person, me } = await aPersonWithEverything();
    await t.services.people.requestErasure(me, person.id);
    const staff = await createPerson(t.services, { name: 'Staff Confirmer' }, 'staff');
    await t.services.people.confirmErasure({ personId: staff.id, role: 'staff' }, person.id);

    const tables = (
      await db.query(
        `select table_schema, table_name from information_schema.tables where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`,
      )
    ).rows;
    assert.ok(
      tables.some((r) => r.table_schema === 'pgboss' && r.table_name === 'job'),
      'the job queue’s rows are searched too',
    );
    const found: string[] = [];
    const words = Object.values(MARK).map((v) => v.split(',')[0]!.trim());
    for (const { table_schema: schema, table_name: table } of tables) {
      for (const word of [...words, 'quillmark', 'Quillfeather', 'seizure', 'epilepsy']) {
        const { rows } = await db.query(`select count(*)::int as n from "${schema}"."${table}" t where t::text ilike $1`, [`%${word}%`]);
        if (rows[0].n > 0) found.push(`${schema}.${table}: ${word}`);
      }
    }
    assert.deepEqual(found, []);

    const outbox = path.join(t.dataDir, 'outbox');
    const files = await fs.readdir(outbox).catch(() => [] as string[]);
    for (const f of files) {
      const raw = await fs.readFile(path.join(outbox, f), 'utf8');
      assert.ok(!raw.toLowerCase().includes(MARK.email.toLowerCase()), `outbox file ${f} is addressed to the erased person`);
    }

    // What counts stays: the registration, the answers' choices, attendance, as anonymous numbers.
    const counts = (
      await db.query(
        `select (select count(*) from registrations where person_id = $1)::int as registrations, (select count(*) from cohort_attendance where person_id = $1 and attended)::int as attended`,
        [person.id],
      )
    ).rows[0];
    assert.deepEqual(counts, { registrations: 1, attended: 1 });
    const choices = (await db.query(`select count(*)::int as n from form_answers where choice = 'good'`)).rows[0].n;
    assert.ok(choices >= 2, 'the ratings still count');
  });

  /** Erases the person the download test made, so the erasure test starts from its own person only. */
  async function cleanUp(personId: string) {
    await t.services.people.requestErasure(admin, personId);
    const other = await createPerson(t.services, { name: 'Other Admin' }, 'admin');
    await t.services.people.confirmErasure({ personId: other.id, role: 'admin' }, personId);
  }
});
