import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createEventWithSession, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { pdfText } from '../../../test/pdf.ts';
import { apiCaller, signIn, WebClient, type WebClient as Client } from '../../../test/web-client.ts';
import type { Person } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';

let t: TestApp;
let db: pg.Client;
let token: string;
let admin: { personId: string; role: 'admin' };
let staff: Client;
const api = apiCaller(
  () => t.app,
  () => token,
);
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
const changeRows = () => count('select count(*) as n from changes');
/** Who was queued a "You said, we did" email about an entry: person ids, sorted. */
const toldAbout = async (changeId: string) =>
  (
    await db.query(`select ref->>'personId' as id from outgoing_emails where kind = 'change-published' and ref->>'changeId' = $1`, [
      changeId,
    ])
  ).rows
    .map((r) => r.id as string)
    .sort();
const today = londonDay(new Date());
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** The same kinds of thing people wrote after #PatientsasPartners16, so themes can be found in them. */
const COMMENTS = [
  'Courageous leadership is needed if this is going to change anything.',
  'We need leaders who are brave enough to share power with patients.',
  'Leadership at board level has to make room for lived experience.',
  'Brave leadership from the top made the difference in our trust.',
  'The need for active listening across all partners came through in every story.',
  'Listening properly, without jumping to solutions, was the big lesson.',
  'I will listen more and talk less in our planning meetings.',
  'Staff should listen to patients before they decide anything.',
  'Local partnerships and relationships are what make this work.',
  'Building relationships with local groups matters more than big strategies.',
  'Our local partners and the relationships we build with them matter most.',
  'Authentic co-production depends on positive human relationships.',
];

// The people who took part, and whether they may be told.
let alice: Person; // answered the form, agreed to be contacted
let bob: Person; // answered the form, did not agree
let ann: Person; // answered only the anonymous form, agreed to be contacted
let lee: Person; // led a chat signed in, agreed to be contacted
let sam: Person; // wrote a published story, agreed to be contacted
let eventId: string;
let formId: string;
let anonymousFormId: string;
let draftFormId: string;
let formTheme: string;
let conversationId: string;
let conversationTheme: string;
let storyId: string;
let unpublishedStoryId: string;

/**
 * Recording answers and chats queues theme-finding in the background; wait for those jobs to end,
 * so the themes found afterwards are the last word and no late job replaces their labels.
 */
async function settleThemeJobs() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const busy = await count(
      `select count(*) as n from pgboss.job where name in ('form.themes', 'conversation.themes') and state in ('created', 'retry', 'active')`,
    );
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('theme jobs did not finish');
}

async function person(name: string, consent: boolean) {
  const p = await createPerson(t.services, { name, email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.org` });
  if (consent) await t.services.consents.give(null, p.id, 'contact');
  return p;
}

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ admin, token } = await createAdminWithToken(t.services));
  staff = await signIn(t, 'admin@example.org');

  alice = await person('Alice Answer', true);
  bob = await person('Bob Nocontact', false);
  ann = await person('Ann Anonymous', true);
  lee = await person('Lee Lead', true);
  sam = await person('Sam Story', true);

  // An event's feedback form: Alice and Bob answer it signed in; delegates with no address answer too.
  ({
    event: { id: eventId },
  } = await createEventWithSession(t.services, admin, { title: 'Partners Day' }));
  const form = await t.services.forms.create(admin, {
    title: 'How was Partners Day?',
    anonymous: false,
    eventId,
    questions: [{ key: 'learnt', type: 'long_text', text: 'What will you take away?' }],
  });
  formId = form.id;
  await t.services.forms.setStatus(admin, formId, 'open');
  const delegates = [alice, bob];
  for (let i = 2; i < COMMENTS.length; i++) delegates.push(await createPerson(t.services, { email: undefined, name: `Delegate ${i}` }));
  for (const [i, p] of delegates.entries())
    await t.services.forms.respond(formId, { person: p }, { learnt: COMMENTS[i] }, { allowEdit: false });
  const learnt = (await t.services.forms.questions(formId)).find((q) => q.key === 'learnt')!;
  await settleThemeJobs();
  await t.services.results.runThemes(learnt.id);
  const labels = await t.services.changes.sourceChoices();
  formTheme = labels
    .find((c) => c.value.startsWith(`form:${formId}:`))!
    .value.split(':')
    .slice(2)
    .join(':');
  assert.ok(formTheme, 'themes were found in the answers');

  // An anonymous form Ann answered: her answer names no one, so she cannot be told.
  const anon = await t.services.forms.create(admin, {
    title: 'Anonymous feedback',
    anonymous: true,
    questions: [{ key: 'say', type: 'text', text: 'Anything to say?' }],
  });
  anonymousFormId = anon.id;
  await t.services.forms.setStatus(admin, anonymousFormId, 'open');
  await t.services.forms.respond(anonymousFormId, { person: ann }, { say: 'More step-free venues please.' }, { allowEdit: false });
  draftFormId = (
    await t.services.forms.create(admin, { title: 'Not open yet', anonymous: false, questions: [{ key: 'q', type: 'text', text: 'Q?' }] })
  ).id;

  // A conversation: Lee leads one chat signed in; another is led by someone with only an address.
  const c = await t.services.conversations.create(admin, {
    title: 'Team Oxford Chat',
    summary: 'Teams talk about working together.',
    questions: [{ key: 'together', text: 'How have you worked with other teams?' }],
    opensOn: '2026-01-01',
    closesOn: '2099-12-31',
  });
  conversationId = c.id;
  await t.services.conversations.setStatus(admin, conversationId, 'open');
  const chat = (teamName: string, together: string, extra: { leadEmail?: string } = {}) => ({
    teamName,
    organisation: 'Oxfordshire County Council',
    sector: 'council' as const,
    heldOn: today,
    peopleCount: 5,
    answers: { together },
    ...extra,
  });
  await t.services.conversations.recordChat({ personId: lee.id, role: 'participant' }, conversationId, chat('Lee team', COMMENTS[8]!));
  await t.services.conversations.recordChat(
    null,
    conversationId,
    chat('Email team', COMMENTS[9]!, { leadEmail: 'no.account.lead@example.org' }),
  );
  for (const [i, text] of [COMMENTS[10]!, COMMENTS[11]!, COMMENTS[4]!, COMMENTS[5]!].entries())
    await t.services.conversations.recordChat(null, conversationId, chat(`Team ${i}`, text));
  await settleThemeJobs();
  await t.services.conversations.runThemes(conversationId);
  [conversationTheme] = await t.services.repositories.conversations
    .themesOf(t.services.db, conversationId)
    .then((rows) => rows.flatMap((r) => r.themes.map((th) => th.label)));
  assert.ok(conversationTheme, 'themes were found in the chats');

  // Sam's story, published; and one still waiting to be checked.
  const story = await api('POST', '/api/v1/stories', {
    title: 'Being listened to',
    body: 'When I went to the clinic nobody asked what mattered to me. After the new team came it was different.',
    personId: sam.id,
    consent: { publish: true, showName: false },
  });
  assert.equal(story.statusCode, 201, story.body);
  storyId = story.json().id;
  const published = await api('POST', `/api/v1/stories/${storyId}/moderation`, {
    decision: 'publish',
    body: 'When I went to the clinic nobody asked what mattered to me. After the new team came it was different.',
  });
  assert.equal(published.statusCode, 200, published.body);
  const waiting = await api('POST', '/api/v1/stories', {
    title: 'Waiting',
    body: 'A story nobody has checked yet, about waiting rooms.',
    consent: { publish: true, showName: false },
  });
  unpublishedStoryId = waiting.json().id;
});
after(async () => {
  await db.end();
  await t.close();
});

describe('staff record a change on the web and publish it', () => {
  let id: string;
  const youSaid = 'Leaders need to be brave enough to share power with patients.';
  const weDid = 'Two patient leaders now sit on the trust board, with a vote.';

  test('the form offers the form, its themes, the conversation and the published story to choose from, and no ids to type', async () => {
    const page = await staff.get('/manage/changes/new');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="submissionKey" value="[0-9a-f-]{36}"/);
    for (const text of [
      'Feedback form: How was Partners Day?',
      `Feedback form: How was Partners Day?, theme: ${formTheme}`,
      'Conversation: Team Oxford Chat',
      `Conversation: Team Oxford Chat, theme: ${conversationTheme}`,
      'Story: Being listened to',
    ])
      assert.ok(page.body.includes(text.replace(/'/g, '&#39;')), text);
    assert.ok(!page.body.includes('Story: Waiting'), 'a story nobody has published is not offered');
    assert.ok(!page.body.includes('Not open yet'), 'a form nobody could answer is not offered');
  });

  test('a draft is saved once for a double click, and never shown to the public', async () => {
    const page = await staff.get('/manage/changes/new');
    const key = /name="submissionKey" value="([^"]+)"/.exec(page.body)![1]!;
    const fields = { youSaid, weDid, status: 'doing', source: `form:${formId}:${formTheme}`, action: 'draft', submissionKey: key };
    const before = await changeRows();
    const first = await staff.post('/manage/changes/new', fields);
    assert.equal(first.statusCode, 303, first.body);
    const second = await staff.post('/manage/changes/new', fields);
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, first.headers.location, 'the second click lands on the same entry');
    assert.equal(await changeRows(), before + 1);
    id = /\/manage\/changes\/([0-9a-f-]{36})/.exec(String(first.headers.location))![1]!;

    const publicPage = await new WebClient(t.app).get('/you-said-we-did');
    assert.equal(publicPage.statusCode, 200);
    assert.ok(!publicPage.body.includes(weDid), 'a draft is not on the public page');
    const listed = await api('GET', '/api/v1/changes', undefined, null);
    assert.equal(listed.statusCode, 200);
    assert.ok(!listed.json().items.some((i: { id: string }) => i.id === id), 'nor in the API');
    const report = await staff.get(`/manage/events/${eventId}/report`);
    assert.ok(!report.body.includes(weDid), 'nor in the event report');
    assert.deepEqual(await toldAbout(id), [], 'and no one is told about a draft');
  });

  test('publishing it (clicked twice) shows it to everyone, and tells Alice once; Bob and the anonymous answerer are not told', async () => {
    const detail = await staff.get(`/manage/changes/${id}`);
    assert.match(detail.body, /Draft/);
    const first = await staff.post(`/manage/changes/${id}/publish`, {});
    assert.equal(first.statusCode, 303, first.body);
    const second = await staff.post(`/manage/changes/${id}/publish`, {});
    assert.equal(second.statusCode, 303);

    const web = new WebClient(t.app);
    const page = await web.get('/you-said-we-did');
    assert.ok(page.body.includes(youSaid) && page.body.includes(weDid));
    assert.ok(page.body.includes('We are doing this now'), 'its status in words');
    assert.ok(page.body.includes(`href="/events/${eventId}"`), 'linked to the public page of the event whose form it came from');
    assert.ok(flat(page.body).includes('The feedback form for Partners Day'));

    const listed = (await api('GET', '/api/v1/changes', undefined, null)).json();
    const item = listed.items.find((i: { id: string }) => i.id === id);
    assert.deepEqual(item, {
      id,
      youSaid,
      weDid,
      status: 'doing',
      statusText: 'We are doing this now',
      publishedOn: today,
      source: { type: 'form', id: formId, theme: formTheme, text: 'The feedback form for Partners Day', url: `/events/${eventId}` },
    });

    assert.deepEqual(await toldAbout(id), [alice.id], 'only the person who answered signed in and agreed to be contacted');
    const mail = await t.waitForEmail(alice.email!, { subject: /You said, we did/ });
    assert.match(mail.body, /Leaders need to be brave/);
    assert.match(mail.body, /Two patient leaders now sit on the trust board/);
    assert.match(mail.body, /We are doing this now/);
    assert.match(mail.body, /you answered the feedback form “How was Partners Day\?”, and you told us we may contact you/);
    assert.match(mail.body, /\/account\/consents/, 'how to stop');
    assert.equal(await count(`select count(*) as n from audit_log where action = 'change.published' and subject_id = $1`, [id]), 1);
  });

  test('staff move it on to done with its words kept; a bad edit changes nothing', async () => {
    const form = await staff.get(`/manage/changes/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes(youSaid), 'the saved words are in the boxes');
    assert.match(form.body, new RegExp(`value="form:${formId}:[^"]*" selected`), 'its source is chosen');
    const source = `form:${formId}:${formTheme}`;
    const bad = await staff.post(`/manage/changes/${id}/edit`, { youSaid: '', weDid, status: 'done', source, action: 'save' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Write what people said/);
    assert.equal((await db.query('select status from changes where id = $1', [id])).rows[0].status, 'doing');
    const ok = await staff.post(`/manage/changes/${id}/edit`, { youSaid, weDid, status: 'done', source, action: 'save' });
    assert.equal(ok.statusCode, 303, ok.body);
    assert.ok((await new WebClient(t.app).get('/you-said-we-did?status=done')).body.includes(weDid));
    assert.deepEqual(await toldAbout(id), [alice.id], 'an edit tells no one again');
    assert.equal(await count(`select count(*) as n from audit_log where action = 'change.updated' and subject_id = $1`, [id]), 1);
  });

  test('the event report shows it under "What changed", on the page and in the PDF', async () => {
    const page = await staff.get(`/manage/events/${eventId}/report`);
    assert.equal(page.statusCode, 200);
    const html = flat(page.body);
    assert.ok(html.includes('What changed'));
    assert.ok(html.includes(weDid));
    const pdf = await staff.get(`/manage/events/${eventId}/report.pdf`);
    const text = flat(await pdfText(pdf.rawPayload));
    assert.ok(text.includes('What changed'));
    assert.ok(text.includes('Two patient leaders now sit on the trust board'), text.slice(-600));
    const viaApi = (await api('GET', `/api/v1/events/${eventId}/report`)).json();
    assert.deepEqual(
      viaApi.whatChanged.map((c: { id: string; status: string; publishedOn: string; theme: string | null; weDid: string }) => c.id),
      [id],
    );
    assert.equal(viaApi.whatChanged[0].weDid, weDid);
    assert.equal(viaApi.whatChanged[0].theme, formTheme, 'the theme it came from');
    assert.ok(!('statusText' in viaApi.whatChanged[0]), 'the API gives data, not the page’s words');
  });

  test('unpublished, it leaves the public page and the report at once; published again, nobody is told twice', async () => {
    assert.equal((await staff.post(`/manage/changes/${id}/unpublish`, {})).statusCode, 303);
    assert.ok(!(await new WebClient(t.app).get('/you-said-we-did')).body.includes(weDid));
    assert.ok(!(await staff.get(`/manage/events/${eventId}/report`)).body.includes(weDid));
    await staff.get(`/manage/changes/${id}`);
    assert.equal((await staff.post(`/manage/changes/${id}/publish`, {})).statusCode, 303);
    assert.ok((await new WebClient(t.app).get('/you-said-we-did')).body.includes(weDid));
    assert.deepEqual(await toldAbout(id), [alice.id], 'still one email');
  });

  test('a published entry cannot be deleted; a draft can', async () => {
    await staff.get(`/manage/changes/${id}`);
    const refused = await staff.post(`/manage/changes/${id}/delete`, {});
    assert.equal(refused.statusCode, 303);
    assert.match(String(refused.headers.location), /error=published/);
    assert.match((await staff.get(String(refused.headers.location))).body, /unpublish it before deleting it/);
    assert.equal(await count('select count(*) as n from changes where id = $1', [id]), 1);

    const draft = await api('POST', '/api/v1/changes', {
      youSaid: 'Too many forms.',
      weDid: 'We cut the form to one page.',
      status: 'planned',
    });
    assert.equal(draft.statusCode, 201, draft.body);
    await staff.get(`/manage/changes/${draft.json().id}`);
    const gone = await staff.post(`/manage/changes/${draft.json().id}/delete`, {});
    assert.equal(gone.headers.location, '/manage/changes?deleted=1');
    assert.equal(await count('select count(*) as n from changes where id = $1', [draft.json().id]), 0);
    assert.equal(
      await count(`select count(*) as n from audit_log where action = 'change.deleted' and subject_id = $1`, [draft.json().id]),
      1,
    );
  });

  test('staff pages are for staff: the public and participants are kept out', async () => {
    const anon = await new WebClient(t.app).get('/manage/changes');
    assert.notEqual(anon.statusCode, 200);
    const participant = await signIn(t, alice.email!);
    const denied = await participant.get('/manage/changes');
    assert.equal(denied.statusCode, 404);
    assert.equal((await participant.get(`/manage/changes/${id}`)).statusCode, 404);
  });
});

describe('bad input on the staff form changes nothing', () => {
  test('missing fields, a made-up source, a theme the form does not have, huge text and a day to come each get a message', async () => {
    const before = await changeRows();
    const page = await staff.get('/manage/changes/new');
    const key = /name="submissionKey" value="([^"]+)"/.exec(page.body)![1]!;
    const base = { youSaid: 'Said', weDid: 'Did', status: 'done', source: '', action: 'draft', submissionKey: key };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, youSaid: '', weDid: '  ' }, /Write what people said[\s\S]*Write what was done/],
      [{ ...base, status: '' }, /Choose whether it is planned, being done now, or done/],
      [{ ...base, status: 'finished' }, /Choose whether it is planned/],
      [{ ...base, source: 'form:not-an-id' }, /Choose where it was said from the list/],
      [{ ...base, source: `form:${conversationId}` }, /There is no form with that id/],
      [{ ...base, source: `form:${formId}:No such theme` }, /That form has no theme “No such theme”/],
      [{ ...base, source: `story:${unpublishedStoryId}` }, /That story is not published/],
      [{ ...base, source: `form:${draftFormId}` }, /has not been opened yet/],
      [{ ...base, youSaid: 'x'.repeat(2001) }, /What people said must be 2,000 characters or fewer/],
      [
        { ...base, action: 'publish', 'publishedOn[day]': '1', 'publishedOn[month]': '1', 'publishedOn[year]': '2999' },
        /cannot be in the future/,
      ],
      [
        { ...base, action: 'publish', 'publishedOn[day]': '31', 'publishedOn[month]': '2', 'publishedOn[year]': '2026' },
        /Enter a real date/,
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await staff.post('/manage/changes/new', fields);
      assert.equal(res.statusCode, 400, `${JSON.stringify(fields).slice(0, 120)}: ${res.statusCode}`);
      assert.match(res.body, /There is a problem/);
      assert.match(res.body, message);
      assert.match(res.body, /name="submissionKey" value="[0-9a-f-]{36}"/, 'the form comes back ready to send again');
    }
    assert.equal(await changeRows(), before);
  });

  test('a submission key sent again with different words is refused, and the form gets a new key', async () => {
    const page = await staff.get('/manage/changes/new');
    const key = /name="submissionKey" value="([^"]+)"/.exec(page.body)![1]!;
    const base = { youSaid: 'One thing', weDid: 'One answer', status: 'planned', source: '', action: 'draft', submissionKey: key };
    assert.equal((await staff.post('/manage/changes/new', base)).statusCode, 303);
    const before = await changeRows();
    const again = await staff.post('/manage/changes/new', { ...base, youSaid: 'Another thing' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already sent/);
    assert.ok(!again.body.includes(`value="${key}"`), 'a fresh key');
    assert.equal(await changeRows(), before);
  });

  test('a bad publishing date on the entry page gets a message and leaves it a draft', async () => {
    const draft = (await api('POST', '/api/v1/changes', { youSaid: 'Said', weDid: 'Did', status: 'planned' })).json();
    await staff.get(`/manage/changes/${draft.id}`);
    const res = await staff.post(`/manage/changes/${draft.id}/publish`, {
      'publishedOn[day]': '40',
      'publishedOn[month]': '1',
      'publishedOn[year]': '2026',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Enter a real date/);
    assert.equal((await db.query('select published_on from changes where id = $1', [draft.id])).rows[0].published_on, null);
  });
});

describe('the API', () => {
  test('records a published change from a conversation theme: the summary shows it; Lee is told, the lead with no account is not', async () => {
    const weDid = 'Every team now has one phone number for the other teams in the county.';
    const res = await api('POST', '/api/v1/changes', {
      youSaid: 'Teams said they did not know who to call in other teams.',
      weDid,
      status: 'done',
      source: { type: 'conversation', id: conversationId, theme: conversationTheme.toUpperCase() },
      publishedOn: today,
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.state, 'published');
    assert.equal(body.source.theme, conversationTheme, 'the theme as the conversation spells it');
    assert.equal(body.notified, 1);
    assert.deepEqual(await toldAbout(body.id), [lee.id]);
    const leeMail = await t.waitForEmail(lee.email!, { subject: /You said, we did/ });
    assert.match(leeMail.body, /you led a team chat in “Team Oxford Chat”/);
    assert.ok(!(await t.emailsTo('no.account.lead@example.org')).some((m) => /You said, we did/.test(m.subject)));

    const summary = await staff.get(`/manage/conversations/${conversationId}/summary`);
    assert.equal(summary.statusCode, 200);
    assert.ok(flat(summary.body).includes('What changed') && summary.body.includes(weDid));
    const pdf = await staff.get(`/manage/conversations/${conversationId}/summary.pdf`);
    const text = flat(await pdfText(pdf.rawPayload));
    assert.ok(text.includes('What changed') && text.includes('Every team now has one phone number'), text.slice(-500));

    const viaApi = (await api('GET', `/api/v1/conversations/${conversationId}/summary`)).json();
    const entry = viaApi.whatChanged.find((c: { id: string }) => c.id === body.id);
    assert.deepEqual(
      { weDid: entry.weDid, status: entry.status, publishedOn: entry.publishedOn, theme: entry.theme },
      { weDid, status: 'done', publishedOn: today, theme: conversationTheme },
    );

    const page = await new WebClient(t.app).get('/you-said-we-did');
    assert.ok(page.body.includes(`href="/conversations/${conversationId}"`));
  });

  test('a published story can be the source and its author is told; an unpublished one cannot', async () => {
    const refused = await api('POST', '/api/v1/changes', {
      youSaid: 'Said',
      weDid: 'Did',
      status: 'done',
      source: { type: 'story', id: unpublishedStoryId },
    });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json().errors, [
      { path: 'source.id', message: 'That story is not published: only a published story can be where a change came from' },
    ]);
    const res = await api('POST', '/api/v1/changes', {
      youSaid: 'Nobody asked what mattered to me.',
      weDid: 'Every clinic appointment now starts with "What matters to you?"',
      status: 'done',
      source: { type: 'story', id: storyId },
      publishedOn: today,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await toldAbout(res.json().id), [sam.id]);
    const page = await new WebClient(t.app).get('/you-said-we-did');
    assert.ok(page.body.includes(`href="/stories/${storyId}"`));
  });

  test('a board decision can be the source: offered on the form, its members who agreed are told, and the public sees it only once the board is published', async () => {
    const board = await api('POST', '/api/v1/boards', {
      name: 'Team-up board',
      purpose: 'People who use social care and those who provide it, together.',
    });
    assert.equal(board.statusCode, 201, board.body);
    const boardId = board.json().id as string;
    const member = await person('Jo Cochair', true);
    const quiet = await person('Kim Member', false);
    for (const [p, role] of [
      [member, 'co_chair'],
      [quiet, 'member'],
    ] as const)
      assert.equal((await api('POST', `/api/v1/boards/${boardId}/members`, { personId: p.id, role, from: '2026-01-01' })).statusCode, 201);
    const meeting = await api('POST', `/api/v1/boards/${boardId}/meetings`, {
      title: 'Spring meeting',
      startsAt: '2026-03-02T10:00:00Z',
      endsAt: '2026-03-02T12:00:00Z',
      format: 'online',
      joinUrl: 'https://meet.example.org/board',
      agenda: [{ title: 'Transport to day centres' }],
    });
    assert.equal(meeting.statusCode, 201, meeting.body);
    const decision = await api('POST', `/api/v1/meetings/${meeting.json().id}/decisions`, { text: 'Ask for a bus pass for carers' });
    assert.equal(decision.statusCode, 201, decision.body);
    const decisionId = decision.json().id as string;

    const form = await staff.get('/manage/changes/new');
    assert.ok(form.body.includes('Board meeting: Team-up board, Spring meeting'));
    assert.ok(form.body.includes(`value="decision:${decisionId}"`));

    const res = await api('POST', '/api/v1/changes', {
      youSaid: 'Carers could not afford the bus to the day centre.',
      weDid: 'Carers now travel free with the person they care for.',
      status: 'done',
      source: { type: 'decision', id: decisionId },
      publishedOn: today,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await toldAbout(res.json().id), [member.id], 'the member who agreed to be contacted, not the one who did not');
    const mail = await t.waitForEmail(member.email!, { subject: /You said, we did/ });
    assert.match(mail.body, /you sit on the Team-up board/);

    const item = () =>
      api('GET', '/api/v1/changes', undefined, null).then((r) => r.json().items.find((i: { id: string }) => i.id === res.json().id));
    assert.deepEqual(
      (await item()).source,
      { type: 'decision', id: null, theme: null, text: 'A board decision', url: null },
      'an unpublished board is not named',
    );
  });

  test('bad input is a 400 with a message per field, and changes nothing', async () => {
    const before = await changeRows();
    const base = { youSaid: 'Said', weDid: 'Did', status: 'done' };
    const missingMeeting = '00000000-0000-4000-8000-000000000000';
    const cases: [unknown, RegExp][] = [
      [{}, /youSaid/],
      [{ ...base, youSaid: 5 }, /Write what people said/],
      [{ ...base, status: 'finished' }, /Choose whether it is planned/],
      [{ ...base, extra: true }, /Unknown field: extra/],
      [{ ...base, youSaid: 'y'.repeat(2001) }, /2,000 characters or fewer/],
      [{ ...base, source: { type: 'form', id: 'nope' } }, /source.id is not a valid id/],
      [{ ...base, source: { type: 'survey', id: formId } }, /source.type must be one of/],
      [{ ...base, source: { type: 'form', id: conversationId } }, /There is no form with that id/],
      [{ ...base, source: { type: 'form', id: draftFormId } }, /has not been opened yet/],
      [{ ...base, source: { type: 'form', id: formId, theme: 'Nothing like it' } }, /That form has no theme/],
      [{ ...base, source: { type: 'story', id: storyId, theme: 'x' } }, /Only a form or a conversation has themes/],
      [{ ...base, source: { type: 'meeting', id: missingMeeting } }, /There is no board meeting with that id/],
      [{ ...base, source: { type: 'decision', id: missingMeeting } }, /There is no board decision with that id/],
      [{ ...base, source: { type: 'conversation', id: missingMeeting } }, /There is no conversation with that id/],
      [{ ...base, publishedOn: '2999-01-01' }, /cannot be in the future/],
      [{ ...base, publishedOn: '2026-02-30' }, /Enter the date to show it from/],
      ['{"youSaid": ', /could not be read/],
    ];
    for (const [payload, message] of cases) {
      const res = await api('POST', '/api/v1/changes', payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      assert.match(res.body, message, JSON.stringify(payload));
    }
    assert.equal((await api('POST', '/api/v1/changes', base, null)).statusCode, 401, 'no token');
    const huge = await api('POST', '/api/v1/changes', { ...base, youSaid: 'z'.repeat(200_000) });
    assert.equal(huge.statusCode, 413);
    assert.equal(await changeRows(), before);
  });

  test('publishing twice is a 409 the second time, and nobody is told twice', async () => {
    const draft = (
      await api('POST', '/api/v1/changes', { ...{ youSaid: 'A', weDid: 'B', status: 'planned' }, source: { type: 'form', id: formId } })
    ).json();
    const [one, two] = await Promise.all([
      api('POST', `/api/v1/changes/${draft.id}/publish`, {}),
      api('POST', `/api/v1/changes/${draft.id}/publish`, {}),
    ]);
    assert.deepEqual([one.statusCode, two.statusCode].sort(), [200, 409]);
    assert.deepEqual(await toldAbout(draft.id), [alice.id]);
    assert.equal((await api('POST', `/api/v1/changes/${draft.id}/publish`)).statusCode, 409, 'with no body too');
    assert.equal((await api('POST', `/api/v1/changes/${draft.id}/publish`, { publishedOn: '2999-01-01' })).statusCode, 400);
    assert.equal((await api('POST', `/api/v1/changes/00000000-0000-4000-8000-000000000000/publish`, {})).statusCode, 404);
  });

  test('the public list is paged, filtered by status, and never holds a draft', async () => {
    const all = (await api('GET', '/api/v1/changes?limit=1000', undefined, null)).json().items as {
      id: string;
      status: string;
      publishedOn: string;
    }[];
    assert.ok(all.length >= 3);
    const drafts = (await db.query('select id from changes where published_on is null')).rows.map((r) => r.id);
    assert.ok(drafts.length > 0 && !all.some((i) => drafts.includes(i.id)), 'no draft is listed');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/api/v1/changes?limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, null);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json();
      assert.ok(page.items.length <= 1);
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.map((i) => i.id),
      'page by page, the same list in the same order',
    );
    const done = (await api('GET', '/api/v1/changes?status=done', undefined, null)).json().items as { status: string }[];
    assert.ok(done.length && done.every((i) => i.status === 'done'));
    assert.equal((await api('GET', '/api/v1/changes?cursor=garbage', undefined, null)).statusCode, 400);
    assert.equal((await api('GET', '/api/v1/changes?status=finished', undefined, null)).statusCode, 400);
    assert.equal((await api('GET', '/api/v1/changes?limit=5000', undefined, null)).statusCode, 400);

    const web = await new WebClient(t.app).get('/you-said-we-did?status=planned');
    assert.equal(web.statusCode, 200);
    assert.ok(web.body.includes('We plan to do this</strong>'), 'the planned changes');
    assert.ok(!web.body.includes('We are doing this now</strong>'), 'and only those');
  });

  test('a story withdrawn after it was a source is no longer named or linked in public', async () => {
    const author = await t.services.stories.forStaff(storyId);
    assert.equal(author.story.status, 'published');
    await t.services.stories.withdraw({ actor: admin }, storyId);
    const page = await new WebClient(t.app).get('/you-said-we-did');
    assert.ok(page.body.includes('Every clinic appointment now starts with'), 'the change is still shown');
    assert.ok(!page.body.includes(`/stories/${storyId}`) && !page.body.includes('Being listened to'), 'its source is no longer named');
    const item = (await api('GET', '/api/v1/changes', undefined, null))
      .json()
      .items.find((i: { source: { type: string } | null }) => i.source?.type === 'story');
    assert.deepEqual(item.source, { type: 'story', id: null, theme: null, text: 'A story someone shared', url: null });
  });

  test('a form whose event is still a draft is not named in public, though staff see it', async () => {
    const { event } = await createEventWithSession(t.services, admin, { title: 'Secret planning day', publish: false });
    const form = await t.services.forms.create(admin, {
      title: 'Planning day feedback',
      anonymous: false,
      eventId: event.id,
      questions: [{ key: 'q', type: 'text', text: 'Anything else?' }],
    });
    await t.services.forms.setStatus(admin, form.id, 'open');
    const res = await api('POST', '/api/v1/changes', {
      youSaid: 'The planning day clashed with school pick-up.',
      weDid: 'Planning days now end at 2pm.',
      status: 'done',
      source: { type: 'form', id: form.id },
      publishedOn: today,
    });
    assert.equal(res.statusCode, 201, res.body);
    const item = (await api('GET', '/api/v1/changes', undefined, null)).json().items.find((i: { id: string }) => i.id === res.json().id);
    assert.deepEqual(item.source, { type: 'form', id: null, theme: null, text: 'A feedback form', url: null });
    const page = await new WebClient(t.app).get('/you-said-we-did');
    assert.ok(page.body.includes('Planning days now end at 2pm.') && !page.body.includes('Planning day feedback'));
    assert.ok((await staff.get('/manage/changes')).body.includes('Planning day feedback'), 'staff still see where it came from');
  });

  test('a staff member’s export lists the entries they wrote', async () => {
    const out = await t.services.personalData.exportAll(t.services.db, admin.personId);
    assert.ok(Array.isArray(out.youSaidWeDidWritten) && (out.youSaidWeDidWritten as unknown[]).length >= 3);
    const mine = await t.services.personalData.exportAll(t.services.db, alice.id);
    assert.equal(mine.youSaidWeDidWritten, undefined);
  });
});
