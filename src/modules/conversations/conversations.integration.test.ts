import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createAdminWithToken } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { pdfText } from '../../../test/pdf.ts';
import { apiCaller, signIn, WebClient } from '../../../test/web-client.ts';
import { SECTORS } from '../../db/schema.ts';
import { londonDay } from '../../lib/dates.ts';

let t: TestApp;
let db: pg.Client;
let token: string;
const api = apiCaller(
  () => t.app,
  () => token,
);
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);

before(async () => {
  // Follow-ups go as soon as a chat is sent, so the test can follow one through.
  t = await startTestApp({ PLEDGE_FOLLOW_UP_DAYS: '0' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  ({ token } = await createAdminWithToken(t.services));
});
after(async () => {
  await db.end();
  await t.close();
});

const today = londonDay(new Date());
// A chat held yesterday: with PLEDGE_FOLLOW_UP_DAYS=0 its follow-up (9 am on the day) is due
// whatever the hour the tests run; a chat held today would wait until 9 am.
const yesterday = londonDay(new Date(Date.now() - 86_400_000));
const QUESTIONS = [
  { key: 'felt', text: 'How has it felt for you during the pandemic?', prompt: 'Pause, listen and acknowledge.' },
  {
    key: 'together',
    text: 'Have you been able to work together with colleagues from other teams?',
    prompt: 'What worked well; even better if.',
  },
  { key: 'easier', text: 'What might make it easier to build relationships with other teams?' },
  { key: 'steps', text: 'What steps will you take now?', steps: true },
];

async function openConversation(title = 'Team Leeds Chat') {
  const c = await api('POST', '/api/v1/conversations', {
    title,
    summary: 'Every team in the city talks through four questions.',
    questions: QUESTIONS,
    opensOn: '2026-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(c.statusCode, 201, c.body);
  assert.equal(c.json().status, 'draft');
  assert.equal((await api('POST', `/api/v1/conversations/${c.json().id}/open`)).statusCode, 200);
  return c.json().id as string;
}

// Two subjects teams raise about working together: sharing records, and food and hunger.
const RECORDS = [
  'We could not see each other’s care records, so we phoned the GP surgery for every patient.',
  'The shared care record finally let us see the hospital discharge notes on the same day.',
  'Different IT systems meant we typed the same patient details into three records.',
  'Getting access to the care record system took months of forms.',
];
const FOOD = [
  'The food bank brought hot meals to families we visit who had nothing in the fridge.',
  'We referred older people to the food parcel scheme and the volunteers delivered groceries the next day.',
  'Hungry children at school got breakfast because the food charity and the school nurses worked together.',
  'A community cafe cooked meals for people leaving hospital with no food at home.',
];
const chats = [
  { teamName: 'Beeston district nurses', organisation: 'Leeds Community Healthcare', sector: 'nhs', subject: RECORDS[0], lived: 1 },
  { teamName: 'Holt Park food bank', organisation: 'Holt Park Food Bank', sector: 'third_sector', subject: FOOD[0] },
  { teamName: 'Discharge team', organisation: 'Leeds Teaching Hospitals', sector: 'nhs', subject: RECORDS[1] },
  {
    teamName: 'Older people’s befriending',
    organisation: 'Leeds Older People’s Forum',
    sector: 'third_sector',
    subject: FOOD[1],
    lived: 4,
  },
  { teamName: 'Adult social care east', organisation: 'Leeds City Council', sector: 'council', subject: RECORDS[2] },
  { teamName: 'School nursing', organisation: 'Leeds Community Healthcare', sector: 'nhs', subject: FOOD[2] },
  { teamName: 'Care home managers', organisation: 'Meadowview Care', sector: 'independent', subject: RECORDS[3] },
  { teamName: 'Community cafe volunteers', organisation: 'Chapeltown Community Kitchen', sector: 'third_sector', subject: FOOD[3] },
] as const;

describe('a conversation through the API', () => {
  let id: string;
  before(async () => {
    id = await openConversation();
    for (const [i, c] of chats.entries()) {
      const r = await api('POST', `/api/v1/conversations/${id}/chats`, {
        teamName: c.teamName,
        organisation: c.organisation,
        sector: c.sector,
        heldOn: today,
        peopleCount: 6 + i,
        ...('lived' in c ? { lived: c.lived } : {}),
        answers: {
          felt: i % 2 ? 'Tired but proud of the team.' : 'Exhausted, and worried about our families.',
          together: `${c.subject}${i === 3 ? ' It would be even better if we had one phone number for every service.' : ''}`,
          ...(i < 5 ? { easier: 'Knowing who to call in the other teams would make it easier.' } : {}),
        },
        pledges: i < 4 ? [`Invite a partner to our meeting (${c.teamName})`, 'Share our contact list'] : [],
      });
      assert.equal(r.statusCode, 201, r.body);
    }
  });

  test('bad chats are refused with a message and change nothing', async () => {
    const before = await count('select count(*) as n from team_chats');
    const base = { teamName: 'A team', organisation: 'An org', sector: 'nhs', heldOn: today, peopleCount: 5, answers: { felt: 'Fine' } };
    const cases: [unknown, RegExp][] = [
      [{ ...base, answers: { nosuch: 'Hello' } }, /no question "nosuch"/],
      [{ ...base, peopleCount: -3 }, /At least 1 person/],
      [{ ...base, peopleCount: 2_000_000 }, /at most 10,000/],
      [{ ...base, peopleCount: 'lots' }, /number/],
      [{ ...base, lived: 9 }, /more than the number of people/],
      [{ ...base, sector: 'church' }, /sector must be one of/],
      [{ ...base, heldOn: '2099-01-01' }, /future/],
      [{ ...base, pledges: [''] }, /cannot be blank/],
    ];
    for (const [body, message] of cases) {
      const r = await api('POST', `/api/v1/conversations/${id}/chats`, body);
      assert.equal(r.statusCode, 400, r.body);
      assert.match((r.json().errors as { message: string }[]).map((e) => e.message).join('; '), message);
    }
    const closed = await openConversation('Closed one');
    await api('POST', `/api/v1/conversations/${closed}/close`);
    const r = await api('POST', `/api/v1/conversations/${closed}/chats`, base);
    assert.equal(r.statusCode, 409);
    assert.match(r.json().detail, /closed/);
    assert.equal(await count('select count(*) as n from team_chats'), before);
    const badConversation = await api('POST', '/api/v1/conversations', {
      ...{ title: 'x', summary: 'y', questions: [], opensOn: '2026-02-01', closesOn: '2026-01-01' },
    });
    assert.equal(badConversation.statusCode, 400);
    assert.match(badConversation.body, /at least one question/);
    assert.match(badConversation.body, /closing date must be on or after/);
  });

  test('the summary counts what teams sent, and its themes match the chats', async () => {
    let summary = (await api('GET', `/api/v1/conversations/${id}/summary`)).json();
    for (let waited = 0; !summary.themesFoundAt && waited < 90_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      summary = (await api('GET', `/api/v1/conversations/${id}/summary`)).json();
    }
    assert.ok(summary.themesFoundAt, 'themes were found without anyone asking');
    assert.equal(summary.chats, chats.length);
    assert.equal(
      summary.people,
      chats.reduce((n, _c, i) => n + 6 + i, 0),
    );
    assert.equal(summary.lived, 5);
    assert.equal(summary.organisations, new Set(chats.map((c) => c.organisation)).size);
    for (const s of SECTORS) assert.equal(summary.bySector[s], chats.filter((c) => c.sector === s).length, s);
    const byKey = Object.fromEntries(summary.questions.map((q: { key: string }) => [q.key, q]));
    assert.equal(byKey.together.answered, chats.length);
    assert.equal(byKey.easier.answered, 5);
    // The steps question is answered by the teams' pledges.
    assert.equal(byKey.steps.answered, 4);
    // The third sector's own words sit beside each question.
    const thirdSector = byKey.together.thirdSector as { text: string; teamName: string }[];
    assert.ok(thirdSector.some((e) => e.teamName === 'Holt Park food bank'));
    assert.deepEqual(
      thirdSector.map((e) => e.teamName),
      chats.filter((c) => c.sector === 'third_sector').map((c) => c.teamName),
    );
    assert.deepEqual(summary.evenBetterIf, ['It would be even better if we had one phone number for every service.']);
    assert.deepEqual(summary.pledges, { ...summary.pledges, total: 8, followedUp: 0, done: 0 });

    // Each theme counts the teams whose answers are in it, as the chats list says.
    const listed = (await api('GET', `/api/v1/conversations/${id}/chats`)).json().items as {
      teamName: string;
      themes: Record<string, string[]>;
      answers: Record<string, string>;
    }[];
    assert.equal(listed.length, chats.length);
    const together = byKey.together.themes as { label: string; count: number }[];
    assert.ok(together.length >= 2, `themes: ${JSON.stringify(together)}`);
    for (const theme of together)
      assert.equal(theme.count, listed.filter((c) => c.themes.together?.includes(theme.label)).length, theme.label);
    assert.ok(
      listed.every((c) => c.themes.together?.length),
      'every answer is in a theme',
    );
    // Teams on food and teams on records do not land in one theme.
    const foodTeams = listed.filter((c) => FOOD.includes(c.answers.together!.split(' It would')[0] as never));
    const recordTeams = listed.filter((c) => RECORDS.includes(c.answers.together as never));
    const mostFood = together.reduce((a, b) =>
      foodTeams.filter((c) => c.themes.together!.includes(b.label)).length >
      foodTeams.filter((c) => c.themes.together!.includes(a.label)).length
        ? b
        : a,
    );
    assert.ok(recordTeams.filter((c) => c.themes.together!.includes(mostFood.label)).length <= recordTeams.length / 2, mostFood.label);
  });

  test('the summary PDF and the CSV exports hold what the summary says', async () => {
    const web = await signIn(t, (await db.query(`select email from people where role = 'admin' limit 1`)).rows[0].email);
    const pdf = await t.app.inject({ method: 'GET', url: `/manage/conversations/${id}/summary.pdf`, headers: { cookie: cookieOf(web) } });
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const text = await pdfText(pdf.rawPayload);
    assert.match(text, /What teams said: Team Leeds Chat/);
    assert.match(text, /Holt Park food bank/);
    const csv = await web.get(`/manage/conversations/${id}/chats.csv`);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.equal(csv.body.trim().split('\r\n').length, chats.length + 1);
    assert.match(csv.body, /Community cafe volunteers/);
    const pledges = await web.get(`/manage/conversations/${id}/pledges.csv`);
    assert.equal(pledges.body.trim().split('\r\n').length, 8 + 1);
    const page = await web.get(`/manage/conversations/${id}/summary`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Third-sector teams held 3 of the 8 chats \(38%\)/);
  });
});

const cookieOf = (c: WebClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

describe('a team lead records a chat and follows up its pledges, with no account', () => {
  let id: string;
  before(async () => {
    id = await openConversation('Leeds chat on the web');
  });
  const form = (extra: Record<string, string | string[]> = {}) => ({
    teamName: 'Armley social prescribers',
    organisation: 'Armley Helping Hands',
    sector: 'third_sector',
    'heldOn[day]': String(Number(yesterday.slice(8))),
    'heldOn[month]': String(Number(yesterday.slice(5, 7))),
    'heldOn[year]': yesterday.slice(0, 4),
    peopleCount: '7',
    answer_felt: 'Hard, but we pulled together.',
    pledge: ['Meet the GP practice manager', 'Join the neighbourhood team huddle', ''],
    leadName: 'Sam Lead',
    leadEmail: 'sam.lead@example.org',
    ...extra,
  });

  test('a draft is kept to finish later, a double click records once, and the follow-up link records how steps went', async () => {
    const web = new WebClient(t.app);
    const page = await web.get(`/conversations/${id}/chat`);
    assert.equal(page.statusCode, 200);
    const key = /name="submissionKey" value="([^"]+)"/.exec(page.body)![1]!;
    const draft = await web.post(`/conversations/${id}/chat`, { ...form(), submissionKey: key, action: 'draft' });
    assert.equal(draft.statusCode, 303, draft.body);
    assert.match(draft.headers.location as string, /saved=1/);
    const again = await web.post(`/conversations/${id}/chat`, { ...form(), submissionKey: key, action: 'draft' });
    assert.equal(again.headers.location, draft.headers.location, 'the double click lands on the same chat');
    assert.equal(await count(`select count(*) as n from team_chats where team_name = 'Armley social prescribers'`), 1);
    const link = await t.waitForEmail('sam.lead@example.org', { subject: /Finish your team chat/ });
    const chatPath = new URL(/https?:\/\/\S+\/chats\/\S+/.exec(link.body)![0]).pathname;
    assert.ok((draft.headers.location as string).startsWith(chatPath));

    const edit = await web.get(draft.headers.location as string);
    assert.match(edit.body, /Hard, but we pulled together/);
    const token = /name="token" value="([^"]+)"/.exec(edit.body)![1]!;
    const sent = await web.post(chatPath, {
      ...form({ answer_together: 'We shared a desk with the council housing team.' }),
      token,
      action: 'send',
    });
    assert.equal(sent.statusCode, 303, sent.body);
    assert.match(sent.headers.location as string, /sent=1/);
    assert.match((await web.get(sent.headers.location as string)).body, /Thank you for your team chat/);

    const followUp = await t.waitForEmail('sam.lead@example.org', { subject: /How did your team's steps go/ });
    assert.match(followUp.body, /Meet the GP practice manager/);
    const followUrl = new URL(/https?:\/\/\S+\/pledges\?token=\S+/.exec(followUp.body)![0]);
    const pledgePage = await web.get(followUrl.pathname + followUrl.search);
    assert.equal(pledgePage.statusCode, 200);
    const pledgeIds = [...pledgePage.body.matchAll(/name="progress_([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const unique = [...new Set(pledgeIds)];
    assert.equal(unique.length, 2);

    const missing = await web.post(followUrl.pathname, { token: followUrl.searchParams.get('token')!, [`progress_${unique[0]}`]: 'done' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Choose how “Join the neighbourhood team huddle” went/);
    const done = await web.post(followUrl.pathname, {
      token: followUrl.searchParams.get('token')!,
      [`progress_${unique[0]}`]: 'done',
      [`progress_${unique[1]}`]: 'started',
    });
    assert.equal(done.statusCode, 303, done.body);
    const summary = (await api('GET', `/api/v1/conversations/${id}/summary`)).json();
    assert.equal(summary.pledges.total, 2);
    assert.equal(summary.pledges.followedUp, 2);
    assert.equal(summary.pledges.done, 1);
    assert.equal(summary.pledges.started, 1);
  });

  test("another team's link, or another team's steps, change nothing", async () => {
    const web = new WebClient(t.app);
    const mine = await t.services.conversations.recordChat(null, id, {
      teamName: 'Team A',
      organisation: 'Org A',
      sector: 'nhs',
      heldOn: today,
      peopleCount: 3,
      answers: { felt: 'ok' },
      pledges: ['Step A'],
    });
    const theirs = await t.services.conversations.recordChat(null, id, {
      teamName: 'Team B',
      organisation: 'Org B',
      sector: 'council',
      heldOn: today,
      peopleCount: 4,
      answers: { felt: 'ok' },
      pledges: ['Step B'],
    });
    const myToken = t.services.conversations.followUpToken(mine.chat.id);
    assert.equal((await web.get(`/chats/${theirs.chat.id}/pledges?token=${myToken}`)).statusCode, 404);
    assert.equal((await web.get(`/chats/${theirs.chat.id}?token=${mine.token}`)).statusCode, 404);
    await web.get(`/chats/${mine.chat.id}/pledges?token=${myToken}`);
    const wrongPledge = await web.post(`/chats/${mine.chat.id}/pledges`, {
      token: myToken,
      [`progress_${mine.chat.pledges[0]!.id}`]: 'done',
      [`progress_${theirs.chat.pledges[0]!.id}`]: 'done',
    });
    assert.equal(wrongPledge.statusCode, 400);
    assert.match(wrongPledge.body, /not one of this team/);
    assert.equal(
      await count(`select count(*) as n from chat_pledges where progress is not null and chat_id = any($1)`, [
        [mine.chat.id, theirs.chat.id],
      ]),
      0,
    );
  });

  test('the web form shows every mistake at once, in page order, and keeps what was typed', async () => {
    const web = new WebClient(t.app);
    await web.get(`/conversations/${id}/chat`);
    const r = await web.post(`/conversations/${id}/chat`, { teamName: '', peopleCount: '-2', answer_felt: 'Kept words', action: 'send' });
    assert.equal(r.statusCode, 400);
    const summaryLinks = [...r.body.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(summaryLinks.slice(0, 5), ['teamName', 'organisation', 'sector', 'heldOn-day', 'peopleCount']);
    assert.match(r.body, /Kept words/);
  });

  test('a draft can be saved with only the team name, and cannot be sent until it is complete', async () => {
    const web = new WebClient(t.app);
    await web.get(`/conversations/${id}/chat`);
    const saved = await web.post(`/conversations/${id}/chat`, {
      teamName: 'Half-done team',
      answer_felt: 'Started writing',
      action: 'draft',
    });
    assert.equal(saved.statusCode, 303, saved.body);
    const page = await web.get(saved.headers.location as string);
    assert.match(page.body, /Bookmark this page/);
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const chatPath = new URL(saved.headers.location as string, 'http://x').pathname;
    const send = await web.post(chatPath, { teamName: 'Half-done team', answer_felt: 'Started writing', token, action: 'send' });
    assert.equal(send.statusCode, 400);
    assert.match(send.body, /Enter your organisation/);
    assert.match(send.body, /Choose the sector your team works in/);
    assert.equal(await count(`select count(*) as n from team_chats where team_name = 'Half-done team' and status = 'draft'`), 1);
    const summary = (await api('GET', `/api/v1/conversations/${id}/summary`)).json();
    assert.ok(!JSON.stringify(summary).includes('Half-done team'), 'a draft is not in the summary');
  });

  test('staff type up a paper sheet for a team with no email, which then appears on the list to phone', async () => {
    const admin = (await db.query(`select email from people where role = 'admin' limit 1`)).rows[0].email;
    const web = await signIn(t, admin);
    await web.get(`/manage/conversations/${id}/chats/new`);
    const r = await web.post(`/manage/conversations/${id}/chats/new`, {
      ...form({ teamName: 'Paper sheet team', leadEmail: '', leadName: 'Pat Phone', leadPhone: '0113 496 0000' }),
    });
    assert.equal(r.statusCode, 303, r.body);
    const list = await web.get(`/manage/conversations/${id}/to-phone`);
    assert.match(list.body, /Paper sheet team/);
    assert.match(list.body, /0113 496 0000/);
    const chatId = (await db.query(`select id from team_chats where team_name = 'Paper sheet team'`)).rows[0].id;
    assert.ok((await db.query(`select recorded_by from team_chats where id = $1`, [chatId])).rows[0].recorded_by);
    const pledgePage = await web.get(`/manage/chats/${chatId}/pledges`);
    const ids = [...new Set([...pledgePage.body.matchAll(/name="progress_([0-9a-f-]{36})"/g)].map((m) => m[1]!))];
    const saved = await web.post(`/manage/chats/${chatId}/pledges`, Object.fromEntries(ids.map((p) => [`progress_${p}`, 'not_yet'])));
    assert.equal(saved.statusCode, 303, saved.body);
    assert.doesNotMatch((await web.get(`/manage/conversations/${id}/to-phone`)).body, /Paper sheet team/);
  });

  test('staff take a nonsense chat out of the summary with a reason, and can put it back; its link cannot bring it back', async () => {
    const spam = await t.services.conversations.recordChat(null, id, {
      teamName: 'Buy cheap watches',
      organisation: 'Spam Ltd',
      sector: 'other',
      heldOn: today,
      peopleCount: 9999,
      answers: { felt: 'Visit our shop' },
    });
    const people = async () => (await api('GET', `/api/v1/conversations/${id}/summary`)).json().people as number;
    const withSpam = await people();
    const admin = (await db.query(`select email from people where role = 'admin' limit 1`)).rows[0].email;
    const web = await signIn(t, admin);
    await web.get(`/manage/chats/${spam.chat.id}`);
    const noReason = await web.post(`/manage/chats/${spam.chat.id}/remove`, { reason: ' ' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Say why this chat is being taken out/);
    assert.equal(await people(), withSpam, 'nothing changed');
    const removed = await web.post(`/manage/chats/${spam.chat.id}/remove`, { reason: 'Spam from the public form' });
    assert.equal(removed.statusCode, 303, removed.body);
    assert.equal(await people(), withSpam - 9999);
    assert.match((await web.get(`/manage/chats/${spam.chat.id}?removed=1`)).body, /Spam from the public form/);
    const lead = new WebClient(t.app);
    await lead.get(`/chats/${spam.chat.id}?token=${spam.token}`);
    const back = await lead.post(`/chats/${spam.chat.id}`, {
      ...form({ teamName: 'Buy cheap watches' }),
      token: spam.token,
      action: 'send',
    });
    assert.equal(back.statusCode, 409);
    assert.match(back.body, /taken this chat out/);
    await web.get(`/manage/chats/${spam.chat.id}`);
    assert.equal((await web.post(`/manage/chats/${spam.chat.id}/restore`)).statusCode, 303);
    assert.equal(await people(), withSpam);
  });

  test("another team's submission key, a year 0 date, and a changed step keep what they should", async () => {
    const web = new WebClient(t.app);
    const page = await web.get(`/conversations/${id}/chat`);
    const key = /name="submissionKey" value="([^"]+)"/.exec(page.body)![1]!;
    assert.equal(
      (await web.post(`/conversations/${id}/chat`, { ...form({ teamName: 'First team' }), submissionKey: key, action: 'send' })).statusCode,
      303,
    );
    const other = await web.post(`/conversations/${id}/chat`, { ...form({ teamName: 'Second team' }), submissionKey: key, action: 'send' });
    assert.equal(other.statusCode, 409);
    assert.doesNotMatch(other.headers.location ?? '', /token=/);
    assert.equal(await count(`select count(*) as n from team_chats where team_name = 'Second team'`), 0);

    const yearZero = await web.post(`/conversations/${id}/chat`, { ...form({ 'heldOn[year]': '0' }), action: 'send' });
    assert.equal(yearZero.statusCode, 400);
    assert.match(yearZero.body, /Enter the date of the chat/);

    const { chat, token } = await t.services.conversations.recordChat(null, id, {
      teamName: 'Steps team',
      organisation: 'Org',
      sector: 'nhs',
      heldOn: today,
      peopleCount: 3,
      answers: { felt: 'ok' },
      pledges: ['Keep this step', 'Reword this step'],
    });
    await t.services.conversations.recordPledgeProgress(null, chat.id, {
      progress: { [chat.pledges[0]!.id]: 'done', [chat.pledges[1]!.id]: 'started' },
    });
    await web.get(`/chats/${chat.id}?token=${token}`);
    const changed = await web.post(`/chats/${chat.id}`, {
      ...form({ teamName: 'Steps team', pledge: ['Keep this step', 'A reworded step'] }),
      token,
      action: 'send',
    });
    assert.equal(changed.statusCode, 303, changed.body);
    const rows = (await db.query(`select text, progress from chat_pledges where chat_id = $1 order by position`, [chat.id])).rows;
    assert.deepEqual(rows, [
      { text: 'Keep this step', progress: 'done' },
      { text: 'A reworded step', progress: null },
    ]);
  });

  test('one address given for many chats in a day gets only the first few emails', async () => {
    const web = new WebClient(t.app);
    for (let i = 0; i < 5; i++) {
      await web.get(`/conversations/${id}/chat`);
      const r = await web.post(`/conversations/${id}/chat`, {
        ...form({ teamName: `Flood ${i}`, leadEmail: 'stranger@example.org' }),
        action: 'draft',
      });
      assert.equal(r.statusCode, 303, r.body);
    }
    await t.waitForEmail('stranger@example.org', { after: 2 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await t.emailsTo('stranger@example.org')).length, 3);
    assert.equal(await count(`select count(*) as n from team_chats where lead_email = 'stranger@example.org'`), 5);
  });

  test('the chat pack downloads as a PDF anyone can read, and in easy read', async () => {
    const web = new WebClient(t.app);
    const pack = await t.app.inject({ method: 'GET', url: `/conversations/${id}/chat-pack.pdf` });
    assert.equal(pack.headers['content-type'], 'application/pdf');
    const text = await pdfText(pack.rawPayload);
    for (const q of QUESTIONS) assert.ok(text.replace(/\s+/g, ' ').includes(q.text.slice(0, 30)), q.text);
    assert.match(text, /Pause, listen and acknowledge/);
    const easy = await pdfText((await t.app.inject({ method: 'GET', url: `/conversations/${id}/chat-pack-easy-read.pdf` })).rawPayload);
    assert.match(easy, /Write down what you said/);
    assert.equal((await web.get(`/conversations/${id}`)).statusCode, 200);
  });

  test('drafts are not public, and staff pages are for staff', async () => {
    const draft = await api('POST', '/api/v1/conversations', {
      title: 'Not yet',
      summary: 'Draft',
      questions: [{ key: 'a', text: 'A?' }],
      opensOn: '2026-01-01',
      closesOn: '2099-01-01',
    });
    const web = new WebClient(t.app);
    assert.equal((await web.get(`/conversations/${draft.json().id}`)).statusCode, 404);
    assert.equal((await web.get(`/conversations/${draft.json().id}/chat-pack.pdf`)).statusCode, 404);
    assert.doesNotMatch((await web.get('/conversations')).body, /Not yet/);
    assert.notEqual((await web.get(`/manage/conversations/${id}`)).statusCode, 200);
    assert.equal((await web.get(`/manage/conversations/${id}/summary.pdf`)).statusCode === 200, false);
  });
});
