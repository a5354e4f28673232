import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { apiCaller } from '../../../test/web-client.ts';

// The stories part of the v1 contract, as an integration uses it.
let t: TestApp;
let db: pg.Client;
let token: string;
let conversationId: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
const aStory = (over: Record<string, unknown> = {}) => ({
  title: 'Working together in Armley',
  body: 'The council and the surgery shared a room, and people got help in one visit.',
  authorName: 'Jo Armley',
  consent: { publish: true, showName: true, quote: true },
  ...over,
});
const create = async (over: Record<string, unknown> = {}) => {
  const res = await api('POST', '/api/v1/stories', aStory(over));
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
};

before(async () => {
  t = await startTestApp();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ token } = await createAdminWithToken(t.services));
  const created = await api('POST', '/api/v1/conversations', {
    title: 'Team Leeds',
    summary: 'Working together',
    questions: [{ key: 'felt', text: 'How has it felt?' }],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  conversationId = created.json().id;
  // Open: the public sees a conversation, and may filter by it, once it is no longer a draft.
  assert.equal((await api('POST', `/api/v1/conversations/${conversationId}/open`)).statusCode, 200);
});
after(async () => {
  await db.end();
  await t.close();
});

test('POST /api/v1/stories: 201 with the personal details found; the story waits for moderation', async () => {
  const body = 'Call me on 07700 900123 or write to jo@example.org.';
  const res = await api('POST', '/api/v1/stories', aStory({ body, conversationId }));
  assert.equal(res.statusCode, 201, res.body);
  const out = res.json();
  assert.equal(out.status, 'submitted');
  assert.deepEqual(
    out.flags.map((f: { kind: string; text: string; start: number; end: number }) => [f.kind, f.text, body.slice(f.start, f.end)]),
    [
      ['phone', '07700 900123', '07700 900123'],
      ['email', 'jo@example.org', 'jo@example.org'],
    ],
  );
  const got = (await api('GET', `/api/v1/stories/${out.id}`)).json();
  assert.equal(got.status, 'submitted');
  assert.equal(got.source, 'api');
  assert.equal(got.conversationId, conversationId);
  assert.deepEqual(got.consent.publish, true);
  assert.ok(got.consent.answeredAt);
  assert.deepEqual(got.moderation, []);
  assert.ok(!(await api('GET', '/api/v1/stories', undefined, null)).json().items.some((i: { id: string }) => i.id === out.id));
});

test('bad input: every mistake listed, unknown people and conversations named, no token, not JSON; nothing stored', async () => {
  const before = await count('select count(*) as n from stories');
  const missing = await api('POST', '/api/v1/stories', { title: '' });
  assert.equal(missing.statusCode, 400);
  const paths = missing.json().errors.map((e: { path: string }) => e.path);
  for (const p of ['title', 'body', 'consent']) assert.ok(paths.includes(p), `${p} in ${paths}`);
  const unknown = await api(
    'POST',
    '/api/v1/stories',
    aStory({ personId: '00000000-0000-4000-8000-000000000000', conversationId: 'nope' }),
  );
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(unknown.json().errors, [
    { path: 'conversationId', message: 'There is no conversation with that id' },
    { path: 'personId', message: 'There is no person with that id' },
  ]);
  assert.equal((await api('POST', '/api/v1/stories', aStory(), null)).statusCode, 401);
  const form = await t.app.inject({
    method: 'POST',
    url: '/api/v1/stories',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'title=x',
  });
  assert.equal(form.statusCode, 415);
  const huge = await api('POST', '/api/v1/stories', aStory({ body: 'x'.repeat(1_000_000) }));
  assert.equal(huge.statusCode, 413);
  assert.match(huge.headers['content-type'] as string, /application\/problem\+json/);
  const long = await api('POST', '/api/v1/stories', aStory({ body: 'x'.repeat(20_001) }));
  assert.equal(long.statusCode, 400);
  assert.match(long.json().errors[0].message, /20,000 characters or fewer/);
  assert.equal(await count('select count(*) as n from stories'), before);
});

test('moderation: 404 for an unknown story, 400 for a bad decision, 409 when details remain unless publishAnyway', async () => {
  assert.equal(
    (await api('POST', '/api/v1/stories/00000000-0000-4000-8000-000000000000/moderation', { decision: 'publish' })).statusCode,
    404,
  );
  assert.equal((await api('GET', '/api/v1/stories/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/stories/not-an-id')).statusCode, 404);
  const id = await create({ body: 'Ring me on 07700 900999 any time.' });
  assert.equal((await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'approve' })).statusCode, 400);
  assert.equal(
    (await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'ask_for_changes' })).statusCode,
    400,
    'asking needs a note',
  );
  const left = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish' });
  assert.equal(left.statusCode, 409);
  assert.match(left.json().detail, /phone number/);
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [id]), 0);
  const anyway = await api('POST', `/api/v1/stories/${id}/moderation`, {
    decision: 'publish',
    publishAnyway: true,
    note: 'It is the team phone',
  });
  assert.equal(anyway.statusCode, 200, anyway.body);
  assert.equal(anyway.json().status, 'published');
  assert.deepEqual(
    anyway.json().moderation.map((m: { action: string; note: string }) => [m.action, m.note]),
    [['publish', 'It is the team phone']],
  );
  const again = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'reject' });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().detail, /Someone has already published this story/);
});

test('two publishes at once: one 200, one 409, one moderation row', async () => {
  const id = await create();
  const body = { decision: 'publish', body: 'The council and the surgery shared a room.' };
  // Another transaction holds the row while both arrive, so both really are under way at once.
  const holder = new pg.Client({ connectionString: t.databaseUrl });
  await holder.connect();
  await holder.query('begin');
  await holder.query('select 1 from stories where id = $1 for update', [id]);
  const both = Promise.all([api('POST', `/api/v1/stories/${id}/moderation`, body), api('POST', `/api/v1/stories/${id}/moderation`, body)]);
  await new Promise((r) => setTimeout(r, 400));
  await holder.query('commit');
  await holder.end();
  const results = await both;
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
  assert.match(results.find((r) => r.statusCode === 409)!.json().detail, /Someone has already published/);
  assert.equal(await count(`select count(*) as n from story_moderation where story_id = $1`, [id]), 1);
  assert.equal(await count(`select count(*) as n from audit_log where subject_id = $1 and action = 'story.published'`, [id]), 1);
});

test('GET /api/v1/stories: published only, no token, pages by cursor, filters by conversation and theme, names only when chosen', async () => {
  const named = await create({ title: 'Named', conversationId });
  const anonymous = await create({ title: 'Anonymous', consent: { publish: true, showName: false } });
  const waiting = await create({ title: 'Waiting' });
  await api('POST', `/api/v1/stories/${named}/moderation`, { decision: 'publish', themes: ['Housing', 'housing', 'Food'] });
  await api('POST', `/api/v1/stories/${anonymous}/moderation`, { decision: 'publish', body: 'Shorter text to publish.' });

  const all = (await api('GET', '/api/v1/stories?status=published', undefined, null)).json();
  const ids = all.items.map((i: { id: string }) => i.id);
  assert.ok(ids.includes(named) && ids.includes(anonymous) && !ids.includes(waiting));
  const anon = all.items.find((i: { id: string }) => i.id === anonymous);
  assert.equal(anon.authorName, null);
  assert.equal(anon.body, 'Shorter text to publish.');
  assert.equal(all.items.find((i: { id: string }) => i.id === named).authorName, 'Jo Armley');
  assert.deepEqual(all.items.find((i: { id: string }) => i.id === named).themes, ['Housing', 'Food']);

  // One at a time, each once, in the same order.
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; nextCursor: string | null } = (
      await api('GET', `/api/v1/stories?limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, null)
    ).json();
    assert.ok(page.items.length <= 1);
    seen.push(...page.items.map((i: { id: string }) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, ids);

  const inConversation = (await api('GET', `/api/v1/stories?conversationId=${conversationId}`, undefined, null)).json();
  assert.deepEqual(
    inConversation.items.map((i: { id: string }) => i.id),
    [named],
  );
  const byTheme = (await api('GET', '/api/v1/stories?theme=housing', undefined, null)).json();
  assert.deepEqual(
    byTheme.items.map((i: { id: string }) => i.id),
    [named],
  );
  assert.equal((await api('GET', '/api/v1/stories?conversationId=00000000-0000-4000-8000-000000000000', undefined, null)).statusCode, 400);
  assert.equal((await api('GET', '/api/v1/stories?status=submitted', undefined, null)).statusCode, 400);
  assert.equal((await api('GET', '/api/v1/stories?cursor=rubbish', undefined, null)).statusCode, 400);
  assert.equal((await api('GET', `/api/v1/stories/${named}`, undefined, null)).statusCode, 401, 'one story with its history is for staff');
});

test('publishedIn: only stories whose author agreed to be quoted, with a name only if they chose', async () => {
  const quoted = await create({ title: 'Quote me', conversationId, consent: { publish: true, showName: false, quote: true } });
  const notQuoted = await create({ title: 'Do not quote me', conversationId, consent: { publish: true, showName: true, quote: false } });
  for (const id of [quoted, notQuoted]) await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish' });
  const listed = await t.services.stories.publishedIn(conversationId);
  const mine = listed.find((s) => s.id === quoted);
  assert.ok(mine);
  assert.equal(mine.authorName, null);
  assert.match(mine.excerpt, /shared a room/);
  assert.ok(!listed.some((s) => s.id === notQuoted));
});

test('a title is checked for personal details too: flagged by field, refused unless taken out, published as staff edited it', async () => {
  const title = 'My stay, call me on 07700 900123, Priya Sharma';
  const body = 'The ward and the care home talked every day.';
  const res = await api('POST', '/api/v1/stories', aStory({ title, body, authorEmail: 'titled@example.org' }));
  assert.equal(res.statusCode, 201, res.body);
  const { id, flags } = res.json() as { id: string; flags: { kind: string; text: string; start: number; end: number; field: string }[] };
  assert.deepEqual(
    flags.map((f) => [f.field, f.kind, (f.field === 'title' ? title : body).slice(f.start, f.end)]),
    [
      ['title', 'phone', '07700 900123'],
      ['title', 'person_name', 'Priya Sharma'],
    ],
  );

  const asSent = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish' });
  assert.equal(asSent.statusCode, 409, 'the title as sent still holds them');
  assert.match(asSent.json().detail, /title to publish still contains.*phone number/);
  const stillThere = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish', title: 'Priya Sharma and the ward' });
  assert.equal(stillThere.statusCode, 409, 'a flagged name left in an edited title');
  assert.match(stillThere.json().detail, /name/);
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [id]), 0);

  const published = await api('POST', `/api/v1/stories/${id}/moderation`, {
    decision: 'publish',
    title: 'My stay',
    note: 'Lovely, thank you',
  });
  assert.equal(published.statusCode, 200, published.body);
  const out = published.json();
  assert.equal(out.title, 'My stay');
  assert.deepEqual(
    out.moderation.map((m: { action: string; note: string; titleAsSent?: string }) => [m.action, m.note, m.titleAsSent]),
    [['publish', 'Lovely, thank you', title]],
    'the title as sent is kept in the history, apart from the note',
  );
  const item = (await api('GET', '/api/v1/stories', undefined, null)).json().items.find((i: { id: string }) => i.id === id);
  assert.equal(item.title, 'My stay');
  const page = await t.app.inject({ method: 'GET', url: `/stories/${id}` });
  assert.equal(page.statusCode, 200);
  for (const detail of ['07700 900123', 'Priya Sharma']) assert.ok(!page.body.includes(detail), detail);
  const library = await t.app.inject({ method: 'GET', url: '/stories' });
  assert.ok(!library.body.includes('07700 900123'));

  const email = await t.waitForEmail('titled@example.org', { subject: /Your story is published/ });
  assert.ok(!email.body.includes('07700 900123') && !email.subject.includes('07700 900123'), 'nor in the email');
  assert.match(email.body, /We changed its title/);
  assert.match(email.body, /Lovely, thank you/);
  assert.ok(!email.body.includes('Title as sent'), 'the note is the one staff wrote');
});

test('publishAnyway publishes a flagged title as it is; a detail found in the body counts in the title too', async () => {
  const id = await create({ title: 'Call 07700 900777', body: 'The surgery helped.' });
  const anyway = await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish', publishAnyway: true });
  assert.equal(anyway.statusCode, 200, anyway.body);
  assert.equal(anyway.json().title, 'Call 07700 900777');
  assert.equal(anyway.json().moderation[0].titleAsSent, undefined, 'unchanged: nothing to keep');

  // A date in words is flagged near "born" only: found in the body, it is still that date in the title.
  const dated = await create({ title: 'Mum', body: 'My mum was born 12 March 1956 in Leeds.' });
  const flagged = (await api('GET', `/api/v1/stories/${dated}`)).json().flags as { text: string; field: string }[];
  assert.deepEqual(
    flagged.map((f) => [f.field, f.text]),
    [['body', '12 March 1956']],
  );
  const left = await api('POST', `/api/v1/stories/${dated}/moderation`, {
    decision: 'publish',
    title: 'Mum and 12 March 1956',
    body: 'My mum was born in Leeds.',
  });
  assert.equal(left.statusCode, 409, 'the date found in the body, put in the title');
  assert.match(left.json().detail, /title to publish/);
});

test('a story in a draft conversation: the public sees neither the conversation’s title nor its id until it opens', async () => {
  const draft = await api('POST', '/api/v1/conversations', {
    title: 'Secret draft campaign',
    summary: 'Not yet',
    questions: [{ key: 'felt', text: 'How has it felt?' }],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(draft.json().status, 'draft');
  const draftId = draft.json().id as string;
  const id = await create({ title: 'Early story', conversationId: draftId });
  assert.equal((await api('POST', `/api/v1/stories/${id}/moderation`, { decision: 'publish' })).statusCode, 200);

  const library = await t.app.inject({ method: 'GET', url: '/stories' });
  assert.ok(library.body.includes('Early story'), 'the story itself is published');
  assert.ok(!library.body.includes('Secret draft campaign'), 'no title in the library, nor as a filter');
  assert.ok(!library.body.includes(draftId), 'nor its id');
  const filtered = await t.app.inject({ method: 'GET', url: `/stories?conversation=${draftId}` });
  assert.ok(!filtered.body.includes('Early story'), 'a draft is no filter: as for an unknown id');
  const page = await t.app.inject({ method: 'GET', url: `/stories/${id}` });
  assert.equal(page.statusCode, 200);
  assert.ok(!page.body.includes('Secret draft campaign'));
  const item = (await api('GET', '/api/v1/stories', undefined, null)).json().items.find((i: { id: string }) => i.id === id);
  assert.equal(item.conversationId, null);
  const byDraft = await api('GET', `/api/v1/stories?conversationId=${draftId}`, undefined, null);
  assert.equal(byDraft.statusCode, 400);
  assert.equal((await api('GET', `/api/v1/stories/${id}`)).json().conversationId, draftId, 'staff still see it');

  assert.equal((await api('POST', `/api/v1/conversations/${draftId}/open`)).statusCode, 200);
  assert.match((await t.app.inject({ method: 'GET', url: `/stories/${id}` })).body, /part of Secret draft campaign/);
  const open = (await api('GET', `/api/v1/stories?conversationId=${draftId}`, undefined, null)).json();
  assert.deepEqual(
    open.items.map((i: { id: string; conversationId: string }) => [i.id, i.conversationId]),
    [[id, draftId]],
  );
});

test('take_down and correct: only for a published story (409 otherwise), a note needed; gone from the list at once; history as themselves', async () => {
  const id = await create({ title: 'Taken down by the API', authorEmail: undefined });
  const moderate = (body: Record<string, unknown>) => api('POST', `/api/v1/stories/${id}/moderation`, body);
  const early = await moderate({ decision: 'take_down', note: 'Too soon' });
  assert.equal(early.statusCode, 409, 'a story waiting to be checked is not public: nothing to take down');
  assert.match(early.json().detail, /not published/);
  assert.equal((await moderate({ decision: 'correct', body: 'x', note: 'Too soon' })).statusCode, 409);
  assert.equal(await count('select count(*) as n from story_moderation where story_id = $1', [id]), 0);

  assert.equal((await moderate({ decision: 'publish' })).statusCode, 200);
  const listed = async () =>
    (await api('GET', '/api/v1/stories?limit=100', undefined, null)).json().items.some((i: { id: string }) => i.id === id) as boolean;
  assert.equal(await listed(), true);
  const noNote = await moderate({ decision: 'take_down' });
  assert.equal(noNote.statusCode, 400);
  assert.match(noNote.body, /Say why you are taking the story down/);
  assert.equal((await moderate({ decision: 'correct', body: 'The council and the surgery shared a room.' })).statusCode, 400, 'a note');

  const corrected = await moderate({ decision: 'correct', body: 'The council and the surgery shared a room.', note: 'Shorter' });
  assert.equal(corrected.statusCode, 200, corrected.body);
  assert.equal(corrected.json().status, 'published');
  assert.equal(corrected.json().publishedBody, 'The council and the surgery shared a room.');
  assert.equal(corrected.json().body, aStory().body, 'the story as sent stays as it was');
  const same = await moderate({ decision: 'correct', note: 'Again' });
  assert.equal(same.statusCode, 400, 'a correction that changes nothing');

  const down = await moderate({ decision: 'take_down', note: 'It names a street' });
  assert.equal(down.statusCode, 200, down.body);
  assert.equal(down.json().status, 'changes_requested');
  assert.equal(await listed(), false, 'gone from the list at once');
  assert.equal((await api('GET', `/api/v1/stories/${id}`, undefined, null)).statusCode, 401);
  assert.deepEqual(
    down.json().moderation.map((m: { action: string; note: string | null }) => [m.action, m.note]),
    [
      ['publish', null],
      ['correct', 'Shorter'],
      ['take_down', 'It names a street'],
    ],
  );
  const twice = await moderate({ decision: 'take_down', note: 'It names a street' });
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().detail, /not published/);
  assert.equal(await count(`select count(*) as n from audit_log where subject_id = $1 and action = 'story.taken_down'`, [id]), 1);

  // Published again, then taken down by two at once: one wins, under the row lock.
  assert.equal((await moderate({ decision: 'publish' })).statusCode, 200);
  const holder = new pg.Client({ connectionString: t.databaseUrl });
  await holder.connect();
  await holder.query('begin');
  await holder.query('select 1 from stories where id = $1 for update', [id]);
  const both = Promise.all([moderate({ decision: 'take_down', note: 'One' }), moderate({ decision: 'take_down', note: 'Two' })]);
  await new Promise((r) => setTimeout(r, 400));
  await holder.query('commit');
  await holder.end();
  assert.deepEqual((await both).map((r) => r.statusCode).sort(), [200, 409]);
  assert.equal(await count(`select count(*) as n from audit_log where subject_id = $1 and action = 'story.taken_down'`, [id]), 2);
  assert.equal(await listed(), false);
});
