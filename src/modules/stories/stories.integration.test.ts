import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken, createPerson } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import { seedDemoStories } from '../demo/demo-stories.ts';
import type { IncomingEmail } from './mailbox.ts';

// Through the web, as people use it: the form, the moderation pages, the library, the email link.
let t: TestApp;
let db: pg.Client;
let token: string;
let admin: { personId: string; role: 'admin' };
let staff: WebClient;
let conversationId: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];
const count = async (sql: string, params: unknown[] = []) => Number((await one(sql, params)).n);
const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const textareaOf = (html: string, name: string) =>
  unescape(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? '').replace(/^\n/, '');
const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>')).replace(/\s+/g, ' ');
/** A short failure: the page's main part, not its header and menu. */
function has(html: string, re: RegExp, message?: string) {
  if (!re.test(html)) assert.fail(`${message ?? re} not found in: ${mainOf(html).slice(0, 3000)}`);
}
const keyOf = (html: string) => /name="submissionKey" value="([^"]+)"/.exec(html)![1]!;
const linkIn = (text: string) => new URL(/https?:\/\/\S+\/stories\/[0-9a-f-]+\/consent\?token=[A-Za-z0-9_-]+/.exec(text)![0]);

const STORY = {
  title: 'The food bank and the district nurses',
  body: [
    'When the lockdown started, the nurse, Priya Sharma, rang our food bank about a man who had no food in the house.',
    'Now we ring each other every week. Anyone can reach me at sam.teller@example.org or on 07700 900123.',
  ].join('\n\n'),
  authorName: 'Sam Teller',
  authorEmail: 'teller@example.org',
  authorOrganisation: 'Hyde Park Food Bank',
  publish: 'yes',
  showName: 'yes',
  quote: 'yes',
};

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ token, admin } = await createAdminWithToken(t.services));
  await createPerson(t.services, { email: 'moderator@example.org', name: 'Mo Derator' }, 'staff');
  staff = await signIn(t, 'moderator@example.org');
  const created = await api('POST', '/api/v1/conversations', {
    title: 'Team Leeds Hearts and Minds',
    summary: 'How we work together',
    questions: [{ key: 'felt', text: 'How has it felt?' }],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(created.statusCode, 201, created.body);
  conversationId = created.json().id;
  assert.equal((await api('POST', `/api/v1/conversations/${conversationId}/open`)).statusCode, 200);
});
after(async () => {
  await db.end();
  await t.close();
});

test('a story from the form is flagged, redacted by staff, published, then withdrawn through the email link: gone at once', async () => {
  const web = new WebClient(t.app);
  const form = await web.get(`/stories/new?conversation=${conversationId}`);
  assert.equal(form.statusCode, 200);
  has(form.body, new RegExp(`<option value="${conversationId}" selected`), 'the conversation is chosen for them');
  const sent = await web.post('/stories/new', { ...STORY, conversationId, submissionKey: keyOf(form.body) });
  assert.equal(sent.statusCode, 303, sent.body);
  const thanks = await web.get(sent.headers.location as string);
  has(thanks.body, /take out personal details/);
  has(thanks.body, /withdraw your story/);

  const stored = await one(`select * from stories where title = $1`, [STORY.title]);
  assert.equal(stored.status, 'submitted');
  assert.equal(stored.conversation_id, conversationId);
  assert.deepEqual([...new Set(stored.flags.map((f: { kind: string }) => f.kind))].sort(), ['email', 'person_name', 'phone']);
  assert.ok(!(await web.get('/stories')).body.includes(STORY.title), 'nothing is public before moderation');

  const received = await t.waitForEmail('teller@example.org', { subject: /Thank you for your story/ });
  const consentLink = linkIn(received.body);

  // Staff see the details highlighted; publishing them as they are needs "publish anyway".
  has((await staff.get('/manage/stories')).body, /The food bank and the district nurses/);
  const page = await staff.get(`/manage/stories/${stored.id}`);
  has(page.body, /<mark>sam\.teller@example\.org<span class="nhsuk-u-visually-hidden"> \(Email address\)<\/span><\/mark>/);
  has(page.body, /<mark>07700 900123/);
  const raw = await staff.post(`/manage/stories/${stored.id}/decision`, { body: STORY.body, decision: 'publish' });
  assert.equal(raw.statusCode, 409);
  has(raw.body, /still contains personal details/);
  assert.equal((await one('select status from stories where id = $1', [stored.id])).status, 'submitted');

  const redactedPage = await staff.post(`/manage/stories/${stored.id}/redact`, { body: STORY.body });
  assert.equal(redactedPage.statusCode, 200);
  const redacted = textareaOf(redactedPage.body, 'body');
  for (const detail of ['sam.teller@example.org', '07700 900123', 'Priya Sharma']) assert.ok(!redacted.includes(detail), detail);
  assert.match(redacted, /rang our food bank/);

  const published = await staff.post(`/manage/stories/${stored.id}/decision`, {
    body: redacted,
    decision: 'publish',
    themes: 'Food\nWorking together',
    easyReadSummary: 'A nurse and a food bank helped a man.',
  });
  assert.equal(published.statusCode, 303, published.body);
  has(
    (await staff.get(published.headers.location as string)).body,
    /Published: the story is in the library now\. We are emailing the author/,
  );
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1 and action = 'publish'`, [stored.id]), 1);
  assert.equal(await count(`select count(*) as n from audit_log where action = 'story.published' and subject_id = $1`, [stored.id]), 1);

  const library = await web.get('/stories');
  has(library.body, /The food bank and the district nurses/);
  has((await web.get('/stories?theme=food')).body, /The food bank and the district nurses/);
  assert.ok(!(await web.get('/stories?theme=housing')).body.includes(STORY.title), 'the theme filter filters');
  const shown = await web.get(`/stories/${stored.id}`);
  assert.equal(shown.statusCode, 200);
  has(shown.body, /By Sam Teller/);
  has(shown.body, /A nurse and a food bank helped a man/);
  for (const detail of ['sam.teller@example.org', '07700 900123', 'Priya Sharma']) assert.ok(!shown.body.includes(detail), detail);
  const listed = (await api('GET', '/api/v1/stories?status=published', undefined, null)).json();
  const item = listed.items.find((i: { id: string }) => i.id === stored.id);
  assert.equal(item.body, redacted);
  assert.equal(item.authorName, 'Sam Teller');
  assert.deepEqual(
    (await t.services.stories.publishedIn(conversationId)).map((s) => s.id),
    [stored.id],
  );
  has((await t.waitForEmail('teller@example.org', { subject: /Your story is published/ })).body, /withdraw it at any time/);

  // The author withdraws through the link in their first email.
  const author = new WebClient(t.app);
  const mine = await author.get(consentLink.pathname + consentLink.search);
  assert.equal(mine.statusCode, 200);
  has(mine.body, /Withdraw my story/);
  const tokenValue = consentLink.searchParams.get('token')!;
  const confirm = await author.get(`/stories/${stored.id}/withdraw?token=${tokenValue}`);
  has(confirm.body, /Yes, withdraw my story/);
  const done = await author.post(`/stories/${stored.id}/withdraw`, { token: tokenValue });
  assert.equal(done.statusCode, 200);
  has(done.body, /Your story is withdrawn/);

  assert.ok(!(await web.get('/stories')).body.includes(STORY.title), 'gone from the library');
  assert.equal((await web.get(`/stories/${stored.id}`)).statusCode, 404);
  const after = (await api('GET', '/api/v1/stories', undefined, null)).json();
  assert.ok(!after.items.some((i: { id: string }) => i.id === stored.id), 'gone from the API');
  assert.deepEqual(await t.services.stories.publishedIn(conversationId), [], 'and from any report made now');
  const row = await one('select status, consent_publish, withdrawn_at from stories where id = $1', [stored.id]);
  assert.equal(row.status, 'withdrawn');
  assert.equal(row.consent_publish, false);
  assert.ok(row.withdrawn_at);
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1 and action = 'withdraw'`, [stored.id]), 1);
});

test('the form: every mistake at once, what was typed kept, nothing stored', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const before = await count('select count(*) as n from stories');
  const bad = await web.post('/stories/new', { title: '', body: '', authorEmail: 'not-an-email', showName: 'yes', submissionKey: key });
  assert.equal(bad.statusCode, 400);
  for (const message of [
    'Give your story a title',
    'Write your story',
    'email address in the correct format',
    'Say whether we may publish your story',
    'Say whether we may quote your story',
  ])
    assert.ok(bad.body.includes(message), message);
  has(bad.body, /value="not-an-email"/);
  has(bad.body, new RegExp(`name="submissionKey" value="${key}"`), 'the same key, so the next post still counts once');

  const long = 'a'.repeat(20_001);
  const tooLong = await web.post('/stories/new', { ...STORY, body: long, submissionKey: key });
  assert.equal(tooLong.statusCode, 400);
  has(tooLong.body, /20,000 characters or fewer/);
  assert.equal(textareaOf(tooLong.body, 'body'), long, 'the story they wrote is still there');

  const noName = await web.post('/stories/new', { ...STORY, authorName: '', submissionKey: key });
  assert.equal(noName.statusCode, 400);
  has(noName.body, /Enter the name to show with your story/);
  assert.equal(await count('select count(*) as n from stories'), before);
});

test('a 1 MB story is refused by the body limit with a clear page, and nothing is stored', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const before = await count('select count(*) as n from stories');
  const res = await web.post('/stories/new', { ...STORY, body: 'x'.repeat(1_000_000), submissionKey: key });
  assert.equal(res.statusCode, 413);
  assert.match(res.headers['content-type'] as string, /text\/html/);
  has(res.body, /Your story is too long to send/);
  has(res.body, /Nothing has been saved/);
  assert.equal(await count('select count(*) as n from stories'), before);
});

test('a double click records one story, and both posts land on the same thank-you page', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const fields = { ...STORY, title: 'Sent twice', authorEmail: 'twice@example.org', submissionKey: key };
  const [a, b] = await Promise.all([web.post('/stories/new', fields), web.post('/stories/new', fields)]);
  assert.equal(a.statusCode, 303);
  assert.equal(b.statusCode, 303);
  assert.equal(a.headers.location, b.headers.location);
  assert.equal(await count(`select count(*) as n from stories where title = 'Sent twice'`), 1);
  await t.waitForEmail('twice@example.org', { subject: /Thank you for your story/ });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await t.emailsTo('twice@example.org')).length, 1, 'one email, not two');
});

test('an unknown or closed conversation is refused with a clear message', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const unknown = await web.post('/stories/new', { ...STORY, conversationId: '00000000-0000-4000-8000-000000000000', submissionKey: key });
  assert.equal(unknown.statusCode, 400);
  has(unknown.body, /There is no conversation with that id/);
  const closed = (
    await api('POST', '/api/v1/conversations', {
      title: 'An old campaign',
      summary: 'Closed now',
      questions: [{ key: 'felt', text: 'How has it felt?' }],
      opensOn: '2020-01-01',
      closesOn: '2020-02-01',
    })
  ).json().id;
  await api('POST', `/api/v1/conversations/${closed}/open`);
  await api('POST', `/api/v1/conversations/${closed}/close`);
  const late = await web.post('/stories/new', { ...STORY, conversationId: closed, submissionKey: key });
  assert.equal(late.statusCode, 400);
  has(late.body, /That conversation has closed/);
  assert.equal(await count('select count(*) as n from stories where submission_key = $1', [key]), 0);
});

test('publishing without the author’s consent is refused, and nothing changes', async () => {
  const created = await api('POST', '/api/v1/stories', {
    title: 'Not for publishing',
    body: 'We worked well together.',
    consent: { publish: false, showName: false },
  });
  assert.equal(created.statusCode, 201);
  const id = created.json().id;
  await staff.get(`/manage/stories/${id}`);
  const web = await staff.post(`/manage/stories/${id}/decision`, { body: 'We worked well together.', decision: 'publish' });
  assert.equal(web.statusCode, 409);
  has(web.body, /has not agreed to publish/);
  const viaApi = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish' });
  assert.equal(viaApi.statusCode, 409);
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'submitted');
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [id]), 0);
});

test('asked for changes, the author changes the story through their link and it goes back to be checked, flags found afresh', async () => {
  const { id } = (
    await api('POST', '/api/v1/stories', {
      title: 'Needs a change',
      body: 'The social prescriber helped my dad.',
      authorEmail: 'changer@example.org',
      consent: { publish: true, showName: false },
    })
  ).json();
  await staff.get(`/manage/stories/${id}`);
  const noNote = await staff.post(`/manage/stories/${id}/decision`, { decision: 'ask_for_changes', body: 'x' });
  assert.equal(noNote.statusCode, 400);
  has(noNote.body, /Tell the author what to change/);
  const asked = await staff.post(`/manage/stories/${id}/decision`, { decision: 'ask_for_changes', note: 'Please say which team it was.' });
  assert.equal(asked.statusCode, 303);
  has((await staff.get(asked.headers.location as string)).body, /You asked the author for changes\. We are emailing the author/);
  const again = await staff.post(`/manage/stories/${id}/decision`, { decision: 'ask_for_changes', note: 'Twice' });
  assert.equal(again.statusCode, 409);
  has(again.body, /Someone has already asked the author for changes/);

  const email = await t.waitForEmail('changer@example.org', { subject: /please change something/ });
  has(email.body, /Please say which team it was/);
  const link = linkIn(email.body);
  const author = new WebClient(t.app);
  const page = await author.get(link.pathname + link.search);
  has(page.body, /Please say which team it was/);
  const changed = await author.post(`/stories/${id}/change`, {
    token: link.searchParams.get('token')!,
    title: 'Needs a change',
    body: 'The social prescribing team at the surgery helped my dad. Call me on 07700 900555.',
  });
  assert.equal(changed.statusCode, 303);
  const row = await one('select status, body, flags from stories where id = $1', [id]);
  assert.equal(row.status, 'submitted');
  has(row.body, /social prescribing team/);
  assert.deepEqual(
    row.flags.map((f: { kind: string }) => f.kind),
    ['phone'],
  );
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1 and action = 'resubmit'`, [id]), 1);
});

test('a link for another story shows nothing and changes nothing', async () => {
  const make = async (title: string) =>
    (
      await api('POST', '/api/v1/stories', {
        title,
        body: 'Teams together.',
        authorEmail: 'two@example.org',
        consent: { publish: true, showName: false },
      })
    ).json().id as string;
  const a = await make('Story A');
  const b = await make('Story B');
  const tokenA = new URL(t.services.stories.consentUrl(a)).searchParams.get('token')!;
  const web = new WebClient(t.app);
  assert.equal((await web.get(`/stories/${a}/consent?token=${tokenA}`)).statusCode, 200);
  assert.equal((await web.get(`/stories/${b}/consent?token=${tokenA}`)).statusCode, 404);
  assert.equal((await web.get(`/stories/${b}/consent`)).statusCode, 404);
  assert.equal((await web.post(`/stories/${b}/withdraw`, { token: tokenA })).statusCode, 404);
  assert.equal((await web.post(`/stories/${b}/consent`, { token: tokenA, publish: 'no', quote: 'no' })).statusCode, 404);
  const row = await one('select status, consent_publish from stories where id = $1', [b]);
  assert.deepEqual(row, { status: 'submitted', consent_publish: true });
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [b]), 0);
});

test('staff only: someone else cannot see or decide on stories', async () => {
  const { id } = (
    await api('POST', '/api/v1/stories', { title: 'Private for now', body: 'x y z', consent: { publish: true, showName: false } })
  ).json();
  await createPerson(t.services, { email: 'someone@example.org' });
  const someone = await signIn(t, 'someone@example.org');
  assert.equal((await someone.get('/manage/stories')).statusCode, 404);
  assert.equal((await someone.get(`/manage/stories/${id}`)).statusCode, 404);
  assert.equal((await someone.post(`/manage/stories/${id}/decision`, { decision: 'reject' })).statusCode, 404);
  assert.equal((await new WebClient(t.app).get(`/stories/${id}`)).statusCode, 404, 'not public until published');
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'submitted');
});

test('signed in: the story is theirs, their details filled in; they withdraw it from their account after a confirm step', async () => {
  await createPerson(t.services, { email: 'author@example.org', name: 'Alex Author' });
  const me = await signIn(t, 'author@example.org');
  has((await me.get('/account')).body, /href="\/account\/stories"/);
  const form = await me.get('/stories/new');
  has(form.body, /value="Alex Author"/);
  has(form.body, /value="author@example.org"/);
  const sent = await me.post('/stories/new', {
    ...STORY,
    title: 'Mine to withdraw',
    authorName: 'Alex Author',
    submissionKey: keyOf(form.body),
  });
  assert.equal(sent.statusCode, 303);
  const story = await one(
    `select s.id, s.person_id, p.id as me from stories s join people p on p.email = 'author@example.org' where s.title = 'Mine to withdraw'`,
  );
  assert.equal(story.person_id, story.me);

  const list = await me.get('/account/stories');
  has(list.body, /Mine to withdraw/);
  has(list.body, /Waiting to be checked/);
  const confirm = await me.get(`/account/stories/${story.id}/withdraw`);
  has(confirm.body, /Withdraw your story\?/);
  assert.equal((await one('select status from stories where id = $1', [story.id])).status, 'submitted', 'the confirm page changes nothing');
  const done = await me.post(`/account/stories/${story.id}/withdraw`);
  assert.equal(done.statusCode, 303);
  assert.equal((await one('select status from stories where id = $1', [story.id])).status, 'withdrawn');
  has((await me.get('/account/stories?withdrawn=1')).body, /Your story is withdrawn/);

  // Someone else's story is not theirs to withdraw.
  const other = (await one(`select id from stories where title = 'Private for now'`)).id;
  assert.equal((await me.get(`/account/stories/${other}/withdraw`)).statusCode, 404);
  assert.equal((await me.post(`/account/stories/${other}/withdraw`)).statusCode, 404);
  assert.equal((await one('select status from stories where id = $1', [other])).status, 'submitted');
});

test('staff enter a story told on the phone: who told it and how they agreed', async () => {
  const form = await staff.get('/manage/stories/new');
  const missing = await staff.post('/manage/stories/new', { submissionKey: keyOf(form.body) });
  assert.equal(missing.statusCode, 400);
  for (const message of ['Enter the name of the person who told the story', 'Say how they gave their consent', 'Write your story'])
    assert.ok(missing.body.includes(message), message);
  const res = await staff.post('/manage/stories/new', {
    submissionKey: keyOf(form.body),
    title: 'Told on the phone',
    body: 'The befriending charity rang me every week.',
    authorName: 'Edna Lowe',
    consentHow: 'phone',
    publish: 'yes',
    showName: 'no',
    quote: 'yes',
  });
  assert.equal(res.statusCode, 303);
  const row = await one(
    `select s.source, s.entered_by, p.email, m.note from stories s join people p on p.id = s.entered_by join story_moderation m on m.story_id = s.id where s.title = 'Told on the phone'`,
  );
  assert.equal(row.source, 'staff');
  assert.equal(row.email, 'moderator@example.org');
  assert.match(row.note, /on the phone/);

  // They phone again to withdraw it: staff do it for them, after ticking to confirm.
  const id = (await one(`select id from stories where title = 'Told on the phone'`)).id;
  await staff.get(`/manage/stories/${id}`);
  const unticked = await staff.post(`/manage/stories/${id}/withdraw`, {});
  assert.equal(unticked.statusCode, 400);
  has(unticked.body, /Tick to confirm the author asked us/);
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'submitted');
  assert.equal((await staff.post(`/manage/stories/${id}/withdraw`, { confirm: 'yes' })).statusCode, 303);
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'withdrawn');
  const by = await one(
    `select m.by_person, p.email from story_moderation m join people p on p.id = m.by_person where m.story_id = $1 and m.action = 'withdraw'`,
    [id],
  );
  assert.equal(by.email, 'moderator@example.org');
});

test('download your data gives their stories with their choices and history; erasure deletes them and unlinks staff', async () => {
  const person = await createPerson(t.services, { email: 'leaving@example.org', name: 'Lee Ving' });
  const mine = (
    await api('POST', '/api/v1/stories', {
      title: 'Mine, by account',
      body: 'The GP and the charity worked together.',
      personId: person.id,
      consent: { publish: true, showName: false },
    })
  ).json().id;
  const byEmail = (
    await api('POST', '/api/v1/stories', {
      title: 'Mine, by email address',
      body: 'The nurses and the library.',
      authorEmail: 'Leaving@Example.org',
      consent: { publish: false, showName: false },
    })
  ).json().id;
  await api('POST', `/api/v1/stories/${mine}/moderation`, { decision: 'reject', note: 'Not about working together, sorry' });
  // A story someone else told, entered by a member of staff who is this person.
  const entered = await createPerson(t.services, { email: 'typist@example.org' }, 'staff');
  await t.services.stories.submit(
    { personId: entered.id, role: 'staff' },
    { title: 'Typed in', body: 'x', consent: { publish: false, showName: false, quote: false } },
    { source: 'staff', consentHow: 'On the phone' },
  );
  // An email to the stories mailbox with only an attachment, from their address.
  await t.services.stories.receiveEmail({
    messageId: '<leaving-attachment@example.org>',
    fromEmail: 'leaving@example.org',
    fromName: 'Lee Ving',
    subject: 'My letter',
    text: '',
    attachments: 1,
    receivedAt: new Date(),
    autoSubmitted: false,
  });

  const data = (await t.services.people.exportFor(person.id)) as unknown as {
    stories: { title: string; history: { step: string; note: string }[] }[];
    storyEmailsWithoutAStory: { from: string; name: string | null; why: string; messageId: string }[];
  };
  assert.deepEqual(data.stories.map((x) => x.title).sort(), ['Mine, by account', 'Mine, by email address']);
  assert.deepEqual(
    data.stories.find((x) => x.title === 'Mine, by account')!.history.map((h) => [h.step, h.note]),
    [['reject', 'Not about working together, sorry']],
  );
  assert.deepEqual(
    data.storyEmailsWithoutAStory.map((e) => [e.from, e.name, e.why, e.messageId]),
    [['leaving@example.org', 'Lee Ving', 'we found no story in it', '<leaving-attachment@example.org>']],
  );

  await t.services.people.requestErasure({ personId: person.id, role: 'participant' }, person.id);
  await t.services.people.confirmErasure(admin, person.id);
  assert.equal(await count('select count(*) as n from stories where id = any($1)', [[mine, byEmail]]), 0);
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [mine]), 0);
  assert.equal(await count(`select count(*) as n from story_mail_replies where from_email = 'leaving@example.org'`), 0);

  await t.services.people.requestErasure(admin, entered.id);
  await createPerson(t.services, { email: 'second-admin@example.org' }, 'admin');
  const second = (await one(`select id from people where email = 'second-admin@example.org'`)).id;
  await t.services.people.confirmErasure({ personId: second, role: 'admin' }, entered.id);
  const typed = await one(
    `select s.entered_by, m.by_person from stories s join story_moderation m on m.story_id = s.id where s.title = 'Typed in'`,
  );
  assert.deepEqual(typed, { entered_by: null, by_person: null }, 'the story stays, without the staff member who typed it');
});

test('the demo stories: one at each stage of moderation, in the conversation', async () => {
  await seedDemoStories({ stories: t.services.stories }, { conversationId, staff: admin });
  const rows = (await db.query(`select status, consent_show_name, easy_read_summary, flags from stories where is_demo order by created_at`))
    .rows;
  assert.deepEqual(
    rows.map((r) => r.status),
    ['submitted', 'changes_requested', 'published', 'published', 'rejected', 'withdrawn'],
  );
  assert.ok(rows[0].flags.length >= 2, 'the waiting one has details to take out');
  assert.ok(rows[2].consent_show_name && !rows[3].consent_show_name, 'one named, one anonymous');
  assert.ok(rows[3].easy_read_summary);
  const library = await new WebClient(t.app).get(`/stories?conversation=${conversationId}`);
  has(library.body, /Social prescribers and the library/);
  has(library.body, /A housing officer and the mental health team/);
  assert.ok(!library.body.includes('Home from hospital in a day'), 'the withdrawn one is not shown');
});

const email = (over: Partial<IncomingEmail>): IncomingEmail => ({
  messageId: '<x@example.org>',
  fromEmail: 'mailer@example.org',
  fromName: null,
  subject: 'My story',
  text: 'The surgery and the council shared a worker.',
  attachments: 0,
  receivedAt: new Date(),
  autoSubmitted: false,
  ...over,
});

test('receiveEmail: a story by email once per Message-ID; no text gets one plain reply; an out-of-office is left alone', async () => {
  const first = await t.services.stories.receiveEmail(email({ messageId: '<story-a@example.org>' }));
  const again = await t.services.stories.receiveEmail(email({ messageId: '<story-a@example.org>' }));
  assert.ok(first.created && first.storyId);
  assert.deepEqual(again, { storyId: first.storyId, created: false });
  const none = await t.services.stories.receiveEmail(
    email({ messageId: '<empty-a@example.org>', text: '  ', attachments: 1, fromEmail: 'empty@example.org' }),
  );
  await t.services.stories.receiveEmail(
    email({ messageId: '<empty-a@example.org>', text: '', attachments: 1, fromEmail: 'empty@example.org' }),
  );
  assert.deepEqual(none, { storyId: null, created: true });
  const reply = await t.waitForEmail('empty@example.org', { subject: /could not find your story/ });
  assert.match(reply.body, /\/stories\/new/);
  // Marked as automatic in its headers, whatever its subject; or, without such headers, Outlook's subject.
  const away = await t.services.stories.receiveEmail(
    email({ messageId: '<away@example.org>', subject: 'Re: My story', autoSubmitted: true, fromEmail: 'away@example.org' }),
  );
  const awayBySubject = await t.services.stories.receiveEmail(
    email({ messageId: '<away-2@example.org>', subject: 'Automatic reply: My story', fromEmail: 'away@example.org' }),
  );
  assert.deepEqual(
    [away, awayBySubject],
    [
      { storyId: null, created: false },
      { storyId: null, created: false },
    ],
  );
  // A story whose title only starts like an out-of-office is still a story.
  const hours = await t.services.stories.receiveEmail(
    email({ messageId: '<hours@example.org>', subject: 'Out of office hours, the pharmacy helped', fromEmail: 'hours@example.org' }),
  );
  assert.ok(hours.created && hours.storyId);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await t.emailsTo('empty@example.org')).length, 1, 'one reply');
  assert.equal((await t.emailsTo('away@example.org')).length, 0);
  assert.equal(
    await count(
      `select count(*) as n from stories where message_id in ('<empty-a@example.org>', '<away@example.org>', '<away-2@example.org>')`,
    ),
    0,
    'no story row for an email without a story, or an automatic one',
  );
  assert.deepEqual(await one(`select from_email, reason from story_mail_replies where message_id = '<empty-a@example.org>'`), {
    from_email: 'empty@example.org',
    reason: 'no_text',
  });
  assert.equal(await count(`select count(*) as n from story_mail_replies where from_email = 'away@example.org'`), 0);
  assert.ok(!(await t.services.stories.queue()).stories.some((s) => s.authorEmail === 'empty@example.org'), 'not in the moderation queue');
  // The reply's job knows the Message-ID only; the address is read when it is composed.
  const job = await one(
    `select ref from outgoing_emails where kind = 'story-not-found-in-email' and ref->>'messageId' = '<empty-a@example.org>'`,
  );
  assert.deepEqual(job.ref, { messageId: '<empty-a@example.org>' });
});

test('receiveEmail: a story too long is answered once, with the limit; after 30 days the email is forgotten', async () => {
  const long = email({
    messageId: '<long-a@example.org>',
    fromEmail: 'long@example.org',
    fromName: 'Lon Ger',
    text: 'word '.repeat(5_000),
  });
  assert.deepEqual(await t.services.stories.receiveEmail(long), { storyId: null, created: true });
  assert.deepEqual(await t.services.stories.receiveEmail(long), { storyId: null, created: false });
  const reply = await t.waitForEmail('long@example.org', { subject: /too long/ });
  assert.match(reply.body, /Hello Lon Ger,/);
  assert.match(reply.body, /longer than [\d,]+ characters/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await t.emailsTo('long@example.org')).length, 1, 'one reply');

  await db.query(`update story_mail_replies set received_at = now() - interval '31 days' where message_id = '<long-a@example.org>'`);
  await t.services.stories.receiveEmail(email({ messageId: '<recent-a@example.org>', fromEmail: 'recent@example.org', text: '' }));
  assert.ok((await t.services.stories.removeOldMailReplies()) >= 1);
  assert.equal(await count(`select count(*) as n from story_mail_replies where message_id = '<long-a@example.org>'`), 0, 'old: gone');
  assert.equal(await count(`select count(*) as n from story_mail_replies where message_id = '<recent-a@example.org>'`), 1, 'recent: kept');
});

const inputOf = (html: string, name: string) => {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0] ?? '';
  return unescape(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '');
};

test('the title to publish: prefilled, flagged details taken out by the button, refused while they remain, stored as published', async () => {
  const title = 'My stay, call me on 07700 900123, Priya Sharma';
  const { id } = (
    await api('POST', '/api/v1/stories', {
      title,
      body: 'The ward and the care home talked every day.',
      consent: { publish: true, showName: false },
    })
  ).json();
  const page = await staff.get(`/manage/stories/${id}`);
  assert.equal(inputOf(page.body, 'title'), title, 'the box starts with the title as sent');
  has(page.body, /<p id="story-title">.*<mark>07700 900123<span class="nhsuk-u-visually-hidden"> \(Phone number\)<\/span><\/mark>/);
  has(page.body, /This title still has personal details in it/);

  const refused = await staff.post(`/manage/stories/${id}/decision`, {
    title,
    body: 'The ward and the care home talked every day.',
    decision: 'publish',
  });
  assert.equal(refused.statusCode, 409);
  has(refused.body, /The title to publish still contains personal details/);
  const blank = await staff.post(`/manage/stories/${id}/decision`, { title: '', body: 'x', decision: 'publish' });
  assert.equal(blank.statusCode, 400);
  has(blank.body, /Enter the title to publish/);
  assert.equal((await one('select status, title from stories where id = $1', [id])).status, 'submitted');

  const redactedPage = await staff.post(`/manage/stories/${id}/redact`, { title, body: 'The ward and the care home talked every day.' });
  const redacted = inputOf(redactedPage.body, 'title');
  assert.equal(redacted, 'My stay, call me on [phone number removed], [name removed]', 'each detail says what it was');
  assert.ok(!/This title still has personal details/.test(redactedPage.body));

  const done = await staff.post(`/manage/stories/${id}/decision`, {
    title: redacted,
    body: 'The ward and the care home talked every day.',
    decision: 'publish',
  });
  assert.equal(done.statusCode, 303, done.body);
  const row = await one('select title, status from stories where id = $1', [id]);
  assert.deepEqual(row, { title: redacted, status: 'published' });
  const entry = await one(`select note, title_before from story_moderation where story_id = $1 and action = 'publish'`, [id]);
  assert.deepEqual(entry, { note: null, title_before: title }, 'the title as sent is kept in the history, apart from the note');
  const staffView = await staff.get(`/manage/stories/${id}`);
  has(staffView.body, /Title as sent: My stay, call me on 07700 900123/);
  const shown = await new WebClient(t.app).get(`/stories/${id}`);
  assert.equal(shown.statusCode, 200);
  for (const detail of ['07700 900123', 'Priya Sharma']) assert.ok(!shown.body.includes(detail), detail);
  has(shown.body, /<h1>My stay, call me on \[phone number removed\], \[name removed\]<\/h1>/);
});

test('an emailed story’s Subject is its title: a name there is flagged like one in the text', async () => {
  const got = await t.services.stories.receiveEmail(
    email({ messageId: '<named-subject@example.org>', subject: 'Priya Sharma: my story', fromEmail: 'subject@example.org' }),
  );
  const row = await one('select title, flags from stories where id = $1', [got.storyId]);
  assert.equal(row.title, 'Priya Sharma: my story');
  assert.deepEqual(
    row.flags.filter((f: { field?: string }) => f.field === 'title').map((f: { kind: string; text: string }) => [f.kind, f.text]),
    [['person_name', 'Priya Sharma']],
  );
  has((await staff.get(`/manage/stories/${got.storyId}`)).body, /<p id="story-title">.*<mark>Priya Sharma/);
});

test('acknowledgements from the form: at most three a day to one address; the stories are kept; emails echo little', async () => {
  const web = new WebClient(t.app);
  const longTitle = `Spam ${'buy cheap pills at evil.example '.repeat(6)}`.slice(0, 200);
  const ids: string[] = [];
  for (const [i, address] of [
    'target@example.org',
    'Target@Example.org',
    'target@example.org',
    'TARGET@example.org',
    'target@example.org',
  ].entries()) {
    const key = keyOf((await web.get('/stories/new')).body);
    const res = await web.post('/stories/new', {
      ...STORY,
      title: i === 0 ? longTitle : `Spam ${i}`,
      authorName: `Name ${'x'.repeat(150)}`,
      authorEmail: address,
      submissionKey: key,
    });
    assert.equal(res.statusCode, 303, res.body);
    ids.push((await one('select id from stories where submission_key = $1', [key])).id);
  }
  assert.equal(ids.length, 5, 'every story is kept');
  await t.waitForEmail('target@example.org', { subject: /Thank you for your story/ });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(
    await count(`select count(*) as n from outgoing_emails where kind = 'story-received' and ref->>'storyId' = any($1)`, [ids]),
    3,
    'three acknowledgements, not five',
  );
  // Sent by the job queue, which may be slow on a busy machine: wait for three, then look for more.
  for (let waited = 0; (await t.emailsTo('target@example.org')).length < 3 && waited < 10_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const mails = await t.emailsTo('target@example.org');
  assert.equal(mails.length, 3);
  const first = mails.find((m) => m.subject.startsWith('Thank you for your story: Spam buy'))!;
  assert.ok(first, mails.map((m) => m.subject).join(', '));
  assert.ok(first.subject.length <= 'Thank you for your story: '.length + 80, first.subject);
  assert.ok(!first.body.includes(longTitle), 'the long title is not repeated whole');
  assert.ok(!first.body.includes('x'.repeat(100)), 'nor the long name');
  // Staff and the API are not limited: they know who they write to.
  const viaApi = await api('POST', '/api/v1/stories', {
    title: 'Told to staff',
    body: 'x',
    authorEmail: 'target@example.org',
    consent: { publish: false, showName: false },
  });
  assert.equal(viaApi.statusCode, 201);
  await t.waitForEmail('target@example.org', { subject: /Told to staff/ });
});

test('a submission key sent again with another story is a conflict: nothing stored, nothing of the first story shown', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const first = await web.post('/stories/new', {
    ...STORY,
    title: 'The first of a key',
    authorEmail: 'first-key@example.org',
    submissionKey: key,
  });
  assert.equal(first.statusCode, 303);
  const before = await count('select count(*) as n from stories');

  const stranger = new WebClient(t.app);
  await stranger.get('/stories/new');
  const replayed = await stranger.post('/stories/new', { ...STORY, title: 'Someone else', authorEmail: '', submissionKey: key });
  assert.equal(replayed.statusCode, 409);
  has(replayed.body, /This form was already sent; please reload the page/);
  assert.ok(!replayed.headers.location, 'no thank-you page with the first story’s reference');
  const firstRef = (first.headers.location as string).match(/ref=([0-9a-f]{8})/)![1]!;
  assert.ok(!replayed.body.toLowerCase().includes(firstRef), 'the first story’s reference is not on the page');
  has(replayed.body, /value="Someone else"/, 'what they typed is kept');
  assert.notEqual(keyOf(replayed.body), key, 'with a key of its own, so sending it again makes its own story');
  assert.equal(await count('select count(*) as n from stories'), before);

  // The same story again (a retry) still lands on the first story's page.
  const again = await web.post('/stories/new', {
    ...STORY,
    title: 'The first of a key',
    authorEmail: 'first-key@example.org',
    submissionKey: key,
  });
  assert.equal(again.statusCode, 303);
  assert.equal(again.headers.location, first.headers.location);
  assert.equal(await count('select count(*) as n from stories'), before);
});

test('a withdrawn story’s staff page says nothing is left to decide, not that it cannot be published', async () => {
  const { id } = (
    await api('POST', '/api/v1/stories', {
      title: 'Withdrawn early',
      body: 'The teams talked.',
      consent: { publish: true, showName: false },
    })
  ).json();
  assert.equal((await staff.post(`/manage/stories/${id}/withdraw`, { confirm: 'yes' })).statusCode, 303);
  const page = await staff.get(`/manage/stories/${id}`);
  has(page.body, /There is nothing more to decide/);
  assert.ok(!page.body.includes('You cannot publish this story'), 'no warning about a decision nobody can make');
  const { id: waiting } = (
    await api('POST', '/api/v1/stories', { title: 'Not agreed', body: 'The teams talked.', consent: { publish: false, showName: false } })
  ).json();
  has((await staff.get(`/manage/stories/${waiting}`)).body, /You cannot publish this story/, 'still shown while it can be decided');
});

test('download your data: a story found only by its email address comes without staff notes; another account’s story is not theirs', async () => {
  const person = await createPerson(t.services, { email: 'typed@example.org', name: 'Ty Ped' });
  const other = await createPerson(t.services, { email: 'other-author@example.org', name: 'Oth Er' });
  // Sent through the form without signing in, by someone who typed this person's address.
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  await web.post('/stories/new', { ...STORY, title: 'Typed with my address', authorEmail: 'typed@example.org', submissionKey: key });
  const typed = (await one('select id from stories where submission_key = $1', [key])).id;
  await api('POST', `/api/v1/stories/${typed}/moderation`, { decision: 'reject', note: 'Staff think the teller is unreliable' });
  // Another account's story, with this person's address typed in.
  const theirs = (
    await api('POST', '/api/v1/stories', {
      title: 'Another account’s story',
      body: 'x',
      personId: other.id,
      authorEmail: 'typed@example.org',
      consent: { publish: false, showName: false },
    })
  ).json().id;

  const data = (await t.services.people.exportFor(person.id)) as unknown as {
    stories: {
      title: string;
      story: string;
      foundBy: string;
      consent: { publish: boolean };
      history: { step: string; note: string | null }[];
    }[];
  };
  assert.deepEqual(
    data.stories.map((s) => s.title),
    ['Typed with my address'],
  );
  const [s] = data.stories;
  assert.equal(s!.story, STORY.body, 'the words stay');
  assert.equal(s!.foundBy, 'your email address');
  assert.equal(s!.consent.publish, true, 'and the choices');
  assert.deepEqual(
    s!.history.map((h) => [h.step, h.note]),
    [['reject', null]],
    'the staff note is left out',
  );
  assert.ok(!JSON.stringify(data).includes('unreliable'));

  // Erasure: their story goes; the other account's stays, without their address.
  await t.services.people.requestErasure({ personId: person.id, role: 'participant' }, person.id);
  await t.services.people.confirmErasure(admin, person.id);
  assert.equal(await count('select count(*) as n from stories where id = $1', [typed]), 0);
  assert.deepEqual(await one('select person_id, author_email from stories where id = $1', [theirs]), {
    person_id: other.id,
    author_email: null,
  });
});

test('a story from the form: its title shows as sent and in the box; an empty title to publish is refused; themes typed are kept', async () => {
  const web = new WebClient(t.app);
  const key = keyOf((await web.get('/stories/new')).body);
  const title = 'Waiting at the discharge lounge';
  const body = 'We waited all day for the pharmacy, and the ward sister kept us company.';
  assert.equal((await web.post('/stories/new', { ...STORY, title, body, submissionKey: key })).statusCode, 303);
  const { id } = await one('select id from stories where submission_key = $1', [key]);
  const page = await staff.get(`/manage/stories/${id}`);
  has(page.body, new RegExp(`<p id="story-title"><strong>Title:</strong> ${title}</p>`), 'the title as sent is shown');
  assert.equal(inputOf(page.body, 'title'), title, 'the box starts with the title as sent');

  for (const blank of ['', '   ']) {
    const refused = await staff.post(`/manage/stories/${id}/decision`, { title: blank, body, decision: 'publish', themes: 'Discharge' });
    assert.equal(refused.statusCode, 400, `title ${JSON.stringify(blank)}`);
    has(refused.body, /Enter the title to publish/);
    has(mainOf(refused.body), /<a href="#title"> ?Enter the title to publish ?<\/a>/, 'the summary links to the box');
    assert.equal(textareaOf(refused.body, 'themes'), 'Discharge', 'what was typed is kept');
  }
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'submitted');

  const done = await staff.post(`/manage/stories/${id}/decision`, {
    title,
    body,
    decision: 'publish',
    themes: 'Hospital discharge\nPharmacy',
  });
  assert.equal(done.statusCode, 303, done.body);
  assert.deepEqual(await one('select themes, title from stories where id = $1', [id]), {
    themes: ['Hospital discharge', 'Pharmacy'],
    title,
  });
  const library = await web.get('/stories');
  has(library.body, /Hospital discharge/, 'the theme is offered in the filter');
  has((await web.get('/stories?theme=hospital%20discharge')).body, new RegExp(title));
  has((await web.get('/stories?theme=pharmacy')).body, new RegExp(title));
});

/** A story sent through the API and published as it is, by an author with an email address. */
async function publishedStory(over: Record<string, unknown> = {}) {
  const { id } = (
    await api('POST', '/api/v1/stories', {
      title: 'The ward and the leisure centre',
      body: 'We live on Elm Road, and the physio and the leisure centre planned my exercise together.',
      authorName: 'Lee Walker',
      authorEmail: 'lee.walker@example.org',
      consent: { publish: true, showName: false, quote: true },
      ...over,
    })
  ).json();
  const res = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish', themes: ['Exercise'] });
  assert.equal(res.statusCode, 200, res.body);
  return id as string;
}
const isPublic = async (id: string) => {
  const web = new WebClient(t.app);
  const library = await web.get('/stories');
  const page = await web.get(`/stories/${id}`);
  const listed = (await api('GET', '/api/v1/stories?limit=100', undefined, null)).json().items.some((i: { id: string }) => i.id === id);
  const inReport = (await t.services.stories.publishedIn(conversationId)).some((s) => s.id === id);
  return { library: library.body.includes(`/stories/${id}`), page: page.statusCode, api: listed, inReport };
};

test('a published story’s page says what staff can still do; the consent warning only while publishing is possible', async () => {
  const id = await publishedStory({ title: 'What staff can still do', authorEmail: undefined });
  const page = await staff.get(`/manage/stories/${id}`);
  const main = mainOf(page.body);
  has(main, /What you can still do/);
  has(main, /<a href="#correct">correct it<\/a>: change its title or text where it is/);
  has(main, /<a href="#take-down">take it down<\/a>: it leaves the website and the API at once/);
  has(main, /<h2 id="correct">Correct it<\/h2>/);
  has(main, /<h2 id="take-down">Take it down<\/h2>/);
  has(main, /We have no email address for the author, so we cannot tell them/, 'staff are told the author will not hear');
  assert.ok(!main.includes('There is nothing more to decide'), 'there is');
  assert.ok(!main.includes('You cannot publish this story'), 'publishing is not a choice here, so no warning about it');
  assert.ok(!main.includes('What do you decide?'), 'no choices that a published story does not allow');
  assert.equal(inputOf(page.body, 'title'), 'What staff can still do', 'the correction starts from the published title');
  has(textareaOf(page.body, 'body'), /Elm Road/, 'and the published text');
  // While publishing is possible and the author has not agreed, the warning stays.
  const { id: waiting } = (
    await api('POST', '/api/v1/stories', {
      title: 'Not yet agreed',
      body: 'The teams talked.',
      consent: { publish: false, showName: false },
    })
  ).json();
  has((await staff.get(`/manage/stories/${waiting}`)).body, /You cannot publish this story/);
});

test('take it down: gone from the library, the API and reports at once; a note needed, history, audit, the author told; then published again', async () => {
  const id = await publishedStory({ title: 'Taken down then fixed', authorEmail: 'taken.down@example.org' });
  assert.deepEqual(await isPublic(id), { library: true, page: 200, api: true, inReport: false });

  const blank = await staff.post(`/manage/stories/${id}/take-down`, { takeDownNote: '  ' });
  assert.equal(blank.statusCode, 400);
  has(mainOf(blank.body), /<a href="#takeDownNote"> ?Say why you are taking the story down ?<\/a>/);
  assert.equal((await one('select status from stories where id = $1', [id])).status, 'published', 'nothing changes without a reason');

  const reason = 'It names the street the author lives on.';
  const done = await staff.post(`/manage/stories/${id}/take-down`, { takeDownNote: reason });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal(done.headers.location, `/manage/stories/${id}?takenDown=1`);
  assert.deepEqual(await isPublic(id), { library: false, page: 404, api: false, inReport: false });
  const row = await one('select status, published_body from stories where id = $1', [id]);
  assert.equal(row.status, 'changes_requested', 'it waits for a change');
  has(row.published_body, /Elm Road/, 'the text to publish is kept, for staff to change');
  assert.equal(await count(`select count(*) as n from audit_log where action = 'story.taken_down' and subject_id = $1`, [id]), 1);
  const api1 = (await api('GET', `/api/v1/stories/${id}`)).json();
  assert.deepEqual(api1.moderation.at(-1).action, 'take_down');
  assert.equal(api1.moderation.at(-1).note, reason, 'the note as staff wrote it');

  const after = await staff.get(done.headers.location as string);
  has(after.body, /The story is taken down/);
  has(mainOf(after.body), /Taken down<br><span class="nhsuk-u-font-size-16">It names the street/, 'the history says so, with why');
  assert.equal(inputOf(after.body, 'title'), 'Taken down then fixed');
  has(textareaOf(after.body, 'body'), /Elm Road/, 'staff start from the published text');

  const email = await t.waitForEmail('taken.down@example.org', { subject: /off our website for now/ });
  has(email.body, /We have taken your story, "Taken down then fixed", off our website for now/);
  has(email.body, new RegExp(`Why we took it down:\\n${reason}`));
  const link = linkIn(email.body);
  const authorPage = await new WebClient(t.app).get(link.pathname + link.search);
  has(authorPage.body, /Your story is off our website for now/);
  has(authorPage.body, /Why we took it down: It names the street/);

  // Twice (a double click, or two staff): the second finds it already down.
  const again = await staff.post(`/manage/stories/${id}/take-down`, { takeDownNote: reason });
  assert.equal(again.statusCode, 409);
  has(again.body, /This story is not published/);
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1 and action = 'take_down'`, [id]), 1);

  // Staff change it and publish it again, the normal way.
  const fixed = 'The physio and the leisure centre planned my exercise together.';
  const republished = await staff.post(`/manage/stories/${id}/decision`, {
    title: 'Taken down, then fixed',
    body: fixed,
    decision: 'publish',
  });
  assert.equal(republished.statusCode, 303, republished.body);
  assert.deepEqual(await isPublic(id), { library: true, page: 200, api: true, inReport: false });
  const shown = await new WebClient(t.app).get(`/stories/${id}`);
  assert.ok(!shown.body.includes('Elm Road'));
  has(shown.body, /<h1>Taken down, then fixed<\/h1>/);
  const history = await staff.get(`/manage/stories/${id}`);
  has(
    mainOf(history.body),
    /Published<br><span class="nhsuk-u-font-size-16">Title as sent: Taken down then fixed/,
    'the title it replaced',
  );
  has(mainOf(history.body), /<p id="story-title"><strong>Title:<\/strong> Taken down then fixed<\/p>/, 'the title as sent');
});

test('correct a published story in place: it stays published with the new words; a note needed; history, audit, a short email', async () => {
  const id = await publishedStory({ title: 'Corrected in place', authorEmail: 'corrected@example.org' });
  const before = await one('select published_at from stories where id = $1', [id]);
  const fixed = 'We live nearby, and the physio and the leisure centre planned my exercise together.';

  const noNote = await staff.post(`/manage/stories/${id}/decision`, { decision: 'correct', title: 'Corrected in place', body: fixed });
  assert.equal(noNote.statusCode, 400);
  has(noNote.body, /Say what you changed and why/);
  assert.equal(textareaOf(noNote.body, 'body'), fixed, 'what was typed is kept');
  const unchanged = await staff.post(`/manage/stories/${id}/decision`, {
    decision: 'correct',
    title: 'Corrected in place',
    body: (await one('select published_body from stories where id = $1', [id])).published_body,
    themes: 'Exercise',
    note: 'Nothing really',
  });
  assert.equal(unchanged.statusCode, 400);
  has(unchanged.body, /Nothing is changed/);
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1`, [id]), 1, 'nothing recorded');

  const done = await staff.post(`/manage/stories/${id}/decision`, {
    decision: 'correct',
    title: 'Corrected where it is',
    body: fixed,
    themes: 'Exercise\nLeisure',
    note: 'We took out the name of your street.',
  });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal(done.headers.location, `/manage/stories/${id}?corrected=1`);
  const row = await one('select status, title, published_body, published_at, themes from stories where id = $1', [id]);
  assert.deepEqual(
    { ...row, published_at: row.published_at.toISOString() },
    {
      status: 'published',
      title: 'Corrected where it is',
      published_body: fixed,
      published_at: before.published_at.toISOString(),
      themes: ['Exercise', 'Leisure'],
    },
  );
  const shown = await new WebClient(t.app).get(`/stories/${id}`);
  assert.ok(!shown.body.includes('Elm Road'), 'the public sees the correction at once');
  has(shown.body, /<h1>Corrected where it is<\/h1>/);
  assert.equal(await count(`select count(*) as n from audit_log where action = 'story.corrected' and subject_id = $1`, [id]), 1);
  const page = await staff.get(done.headers.location as string);
  has(page.body, /Your correction is saved/);
  has(
    mainOf(page.body),
    /Corrected while published<br><span class="nhsuk-u-font-size-16">Title as sent: Corrected in place<\/span><br><span class="nhsuk-u-font-size-16">We took out the name/,
  );
  has(mainOf(page.body), /What you can still do/, 'still published, still correctable');
  const email = await t.waitForEmail('corrected@example.org', { subject: /We changed your story on our website/ });
  has(email.body, /What we changed, and why:\nWe took out the name of your street\./);
  has(email.body, /We changed its title\. It is now: "Corrected where it is"/);

  // Decisions that a published story does not allow are refused, under the lock, with what to do instead.
  const publishAgain = await staff.post(`/manage/stories/${id}/decision`, { decision: 'publish', title: 'x', body: 'x' });
  assert.equal(publishAgain.statusCode, 409);
  has(publishAgain.body, /You can still correct it or take it down/);
});

test('the flagged details button on a published story takes them out with what they were; the correction publishes that', async () => {
  const { id } = (
    await api('POST', '/api/v1/stories', {
      title: 'Published with a phone number',
      body: 'Ring Sam on 07700 900123 if you want to join.',
      consent: { publish: true, showName: false },
    })
  ).json();
  assert.equal((await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish', publishAnyway: true })).statusCode, 200);
  const page = await staff.get(`/manage/stories/${id}`);
  has(page.body, /This text still has personal details in it/, 'what was published anyway is pointed out');
  has(page.body, /Keep them: I have checked these details may be public/);
  const redactedPage = await staff.post(`/manage/stories/${id}/redact`, {
    title: 'Published with a phone number',
    body: textareaOf(page.body, 'body'),
  });
  const body = textareaOf(redactedPage.body, 'body');
  assert.match(body, /\[phone number removed\]/);
  assert.ok(!body.includes('07700 900123'));
  const done = await staff.post(`/manage/stories/${id}/decision`, {
    decision: 'correct',
    title: 'Published with a phone number',
    body,
    note: 'Took out a phone number',
  });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal((await one('select published_body from stories where id = $1', [id])).published_body, body);
});
