import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { createPerson } from '../test/builders.ts';
import { axeViolations, launchBrowser, signInAs, startServer, watchConsole, type E2eServer } from './support/browser.ts';

/**
 * Every page, as each kind of visitor sees it, including pages showing form errors, swept by
 * axe-core at WCAG 2.2 A and AA. A new page belongs in one of these lists.
 */
let server: E2eServer;
let browser: Browser;
let personId: string;
let conferenceId: string;
let weekId: string;
let sessionId: string;
let cancelPath: string;
let pastId: string;
let evaluationFormId: string;
let openFormId: string;
let easyFormId: string;
let programmeId: string;
let openCohortId: string;
let pilotId: string;
let serial: string;
let applicationId: string;
let offeredId: string;
let coachingId: string;
let emailChangePath: string;
before(async () => {
  // An organisation account to offer on the sign-in page; its provider is not running, so trying
  // it shows the page for a provider that cannot be reached.
  server = await startServer({
    DEMO: 'true',
    OIDC_ISSUER: 'http://127.0.0.1:9/',
    OIDC_CLIENT_ID: 'coproduce',
    OIDC_CLIENT_SECRET: 'not-used',
    OIDC_NAME: 'your NHS account',
    OIDC_DOMAINS: 'nhs.net',
  });
  browser = await launchBrowser();
  const p = await createPerson(server.t.services, {
    name: 'Swept Person',
    accessNeeds: ['bsl_interpreter', 'dietary'],
    accessNotes: 'Vegan',
  });
  personId = p.id;
  await server.t.services.people.requestErasure({ personId: p.id, role: 'participant' }, p.id);
  // The demo data holds the conference with its masterclasses and the co-production week.
  const events = await server.t.services.events.list({ publishedOnly: true });
  conferenceId = events.find((e) => e.title.startsWith('#PatientsasPartners') && e.startsAt > new Date())!.id;
  weekId = events.find((e) => e.title.startsWith('Co-production week'))!.id;
  const sessions = await server.t.services.events.sessionsOf(conferenceId);
  sessionId = sessions[1]!.id;
  const r = await server.t.services.registrations.register(null, { sessionId, who: { personId: p.id }, accessNeeds: ['bsl_interpreter'] });
  cancelPath = `/registrations/${r.registration.id}/cancel?token=${server.t.services.registrations.cancelToken(r.registration.id)}`;
  // The demo's past conference has its evaluation, themes and report.
  const past = (await server.t.services.events.list({ publishedOnly: true })).find((e) => e.title.startsWith('#PatientsasPartners16'))!;
  pastId = past.id;
  evaluationFormId = (await server.t.services.forms.formsOfEvent(past.id))[0]!.id;
  const admin = { personId: p.id, role: 'admin' as const };
  const questions = [
    { key: 'overall', type: 'rating' as const, text: 'Overall, how was it?', easyReadText: 'Was it good?', required: true },
    { key: 'topics', type: 'multiple_choice' as const, text: 'Which topics helped?', options: ['Listening', 'Leadership'] },
    { key: 'people', type: 'number' as const, text: 'How many people did you meet?' },
    { key: 'said', type: 'text' as const, text: 'One word for the day' },
  ];
  openFormId = (await server.t.services.forms.create(admin, { title: 'Sweep form', anonymous: false, questions })).id;
  await server.t.services.forms.setStatus(admin, openFormId, 'open');
  easyFormId = (await server.t.services.forms.create(admin, { title: 'Easy sweep form', anonymous: true, easyRead: true, questions })).id;
  await server.t.services.forms.setStatus(admin, easyFormId, 'open');
  // The demo's Leading Together: the graduated 2018 pilot and a cohort open for applications.
  const programme = (await server.t.services.programmes.listProgrammes())[0]!;
  programmeId = programme.id;
  const cohorts = await server.t.services.programmes.cohortsOf(programme.id);
  pilotId = cohorts.find((c) => c.cohort.graduatedAt)!.cohort.id;
  openCohortId = cohorts.find((c) => c.cohort.applicationsOpen)!.cohort.id;
  serial = (await server.t.services.certificates.certificatesOf(pilotId))[0]!.serial;
  const applications = await server.t.services.programmes.applicationsOf(openCohortId);
  applicationId = applications.find((a) => a.status === 'applied')!.id;
  offeredId = applications.find((a) => a.status === 'offered')!.id;
  const member = (await server.t.services.cohorts.members(pilotId))[0]!;
  const coach = (await server.t.services.people.findActiveByEmail('demo-facilitator@coproduce.example'))!;
  coachingId = (
    await server.t.services.cohorts.bookCoaching(admin, pilotId, {
      participantId: member.personId,
      coachId: coach.id,
      startsAt: new Date('2018-08-01T13:00:00Z'),
    })
  ).id;
  // A new email address waiting for its link, to sweep the page the link opens.
  const mover = await server.t.services.people.create(admin, { name: 'Mo Mover', experience: 'lived', email: 'mo-old@example.org' });
  await server.t.services.people.update(admin, mover.id, { name: 'Mo Mover', experience: 'lived', email: 'mo-new@example.org' });
  const confirm = await server.t.waitForEmail('mo-new@example.org', { subject: /Confirm your new email address/ });
  const link = new URL(/https?:\/\/\S+\/email-change\/\S+/.exec(confirm.body)![0]);
  emailChangePath = link.pathname + link.search;
});
after(async () => {
  await browser.close();
  await server.close();
});

type Step = (page: Page) => Promise<void>;
/** Visits a page and checks it is the page meant, not an error page that would pass the sweep. */
const visit =
  (path: string, status = 200): Step =>
  async (page) => {
    const response = await page.goto(`${server.baseUrl}${path}`);
    assert.equal(response?.status(), status, `${path} answered ${response?.status()}`);
  };
const submitEmpty =
  (path: string, button: string): Step =>
  async (page) => {
    await page.goto(`${server.baseUrl}${path}`);
    await page.getByRole('button', { name: button }).first().click();
    await page.locator('.nhsuk-error-summary').waitFor();
  };

/**
 * What makes the page wider than a 375 px phone screen (null when it fits): sideways scrolling
 * is a WCAG reflow failure axe cannot see. The header's script lays its menu out again after a
 * resize, so a page is given up to a second to settle before it counts. The size is put back.
 */
async function sidewaysAt375(page: Page): Promise<string | null> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  try {
    const measure = () =>
      page.evaluate(() => {
        const over = document.documentElement.scrollWidth - window.innerWidth;
        if (over <= 0) return null;
        const culprits = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
          .slice(0, 3)
          .map(
            (el) => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : ''),
          );
        return `${over}px too wide at 375px (${culprits.join(', ')})`;
      });
    let found = await measure();
    for (let i = 0; found && i < 10; i++) {
      await page.waitForTimeout(100);
      found = await measure();
    }
    return found;
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * Chart text that falls outside its chart is cut off. Charts scale by their viewBox and their
 * text is sized in its units, so what fits at one width fits at every width.
 */
async function clippedChartText(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('svg.app-chart')].flatMap((svg) => {
      const box = svg.viewBox.baseVal;
      return [...svg.querySelectorAll<SVGTextElement>('text')]
        .filter((t) => {
          const b = t.getBBox();
          return (
            b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5
          );
        })
        .map((t) => `chart text cut off: ${t.textContent}`);
    }),
  );
}

async function sweep(context: BrowserContext, page: Page, pages: [string, Step][]) {
  const failures: string[] = [];
  const problems = watchConsole(page);
  for (const [name, step] of pages) {
    await step(page);
    const violations = await axeViolations(page);
    for (const v of violations) failures.push(`${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    const sideways = await sidewaysAt375(page);
    if (sideways) failures.push(`${name}: ${sideways}`);
    for (const cut of await clippedChartText(page)) failures.push(`${name}: ${cut}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.deepEqual(problems, [], 'no console errors');
  await context.close();
}

describe('axe-core sweep', () => {
  test('the sweep can fail: it finds a missing alt text put into a page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.baseUrl);
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = '/static/coproduce-mark.svg';
      document.querySelector('main')!.append(img);
    });
    const ids = (await axeViolations(page)).map((v) => v.id);
    assert.ok(ids.includes('image-alt'), `found: ${ids.join(', ')}`);
    await context.close();
  });

  test('the sweep can fail: it finds chart text cut off', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.baseUrl);
    await page.evaluate(() => {
      document
        .querySelector('main')!
        .insertAdjacentHTML(
          'beforeend',
          '<svg class="app-chart" viewBox="0 0 640 40" role="img" aria-label="A chart"><text x="212" y="25" text-anchor="end">A label far too long to fit left of the bars at all</text></svg>',
        );
    });
    assert.match((await clippedChartText(page)).join(), /chart text cut off: A label far too long/);
    await context.close();
  });

  test('the sweep can fail: it finds a page wider than a phone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.baseUrl);
    assert.equal(await sidewaysAt375(page), null, 'the home page fits');
    await page.evaluate(() => {
      const wide = document.createElement('div');
      wide.style.width = '600px';
      wide.textContent = 'A wide table';
      document.querySelector('main')!.append(wide);
    });
    assert.match((await sidewaysAt375(page)) ?? '', /too wide at 375px \(div/);
    await context.close();
  });

  test('anonymous pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await sweep(context, page, [
      ['home', visit('/')],
      ['accessibility statement', visit('/accessibility')],
      ['privacy notice', visit('/privacy')],
      ['sign in', visit('/sign-in')],
      ['sign in with an error', submitEmpty('/sign-in', 'Email me a link')],
      ['check your email', visit('/sign-in/check-email')],
      [
        'an address that signs in with its organisation',
        async (page) => {
          await page.goto(`${server.baseUrl}/sign-in`);
          await page.getByLabel('Email address').fill('someone@nhs.net');
          await page.getByRole('button', { name: 'Email me a link' }).click();
          await page.getByRole('heading', { name: 'Sign in with your NHS account' }).waitFor();
        },
      ],
      ['organisation account cannot be reached', visit('/sign-in/oidc/1', 503)],
      ['sign-in with an organisation account not finished', visit('/sign-in/oidc/callback?state=x&code=y', 400)],
      ['finish signing in', visit('/sign-in/verify?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')],
      ['link not valid', visit('/sign-in/verify?token=x', 400)],
      ['email change link that does not work', visit('/email-change/00000000-0000-4000-8000-000000000000?token=x', 400)],
      ['confirm a new email address', visit(emailChangePath)],
      ['not found', visit('/no-such-page', 404)],
      ['events', visit('/events')],
      ['conference programme', visit(`/events/${conferenceId}`)],
      ['festival programme, filtered', visit(`/events/${weekId}?format=online&theme=Getting%20started`)],
      ['register (public)', visit(`/events/${conferenceId}/register`)],
      ['register with errors', submitEmpty(`/events/${conferenceId}/register`, 'Register')],
      ['thank you', visit(`/events/${conferenceId}/thank-you?confirmed=1&waitlisted=1`)],
      ['cancel from an email link', visit(cancelPath)],
      ['a form to answer', visit(`/f/${openFormId}`)],
      ['a form with errors', submitEmpty(`/f/${openFormId}`, 'Send my answers')],
      ['an easy-read form', visit(`/f/${easyFormId}`)],
      ['an easy-read form with an error', submitEmpty(`/f/${easyFormId}`, 'Next')],
      ['a closed form', visit(`/f/${evaluationFormId}`)],
      ['page feedback, asking for more', visit('/privacy?feedback=more')],
      ['page feedback, thanks', visit('/privacy?feedback=thanks')],
      ['programmes', visit('/programmes')],
      ['a programme', visit(`/programmes/${programmeId}`)],
      ['apply', visit(`/cohorts/${openCohortId}/apply`)],
      ['apply, easy read', visit(`/cohorts/${openCohortId}/apply/easy`)],
      [
        'apply, easy read, a question with a mistake',
        async (p) => {
          await p.goto(`${server.baseUrl}/cohorts/${openCohortId}/apply/easy`);
          await p.getByRole('button', { name: 'Start' }).click();
          await p.getByRole('button', { name: 'Continue' }).click();
          await p.locator('.nhsuk-error-summary').waitFor();
        },
      ],
      ['register, one session chosen', visit(`/events/${conferenceId}/register?session=${sessionId}`)],
      ['apply with errors', submitEmpty(`/cohorts/${openCohortId}/apply`, 'Send application')],
      ['application sent', visit(`/cohorts/${openCohortId}/applied?new=1`)],
      ['check a certificate', visit('/certificates')],
      ['check a certificate, unknown number', visit('/certificates?serial=ZZZZ-ZZZZ-ZZZZ', 404)],
      ['a certificate', visit(`/certificates/${serial}`)],
      [
        'a credential checked',
        async (p) => {
          await p.goto(`${server.baseUrl}/certificates`);
          await p.getByLabel('Credential (JSON)').fill('{"not": "a credential"}');
          await p.getByRole('button', { name: 'Check the credential' }).click();
          await p.getByText('Not valid').waitFor();
        },
      ],
      [
        'thank you for your answers',
        async (p) => {
          await p.goto(`${server.baseUrl}/f/${openFormId}`);
          await p.getByLabel('Good').check();
          await p.getByLabel('Yes, without my name').check();
          await p.getByRole('button', { name: 'Send my answers' }).click();
          await p.getByRole('heading', { name: 'Thank you' }).waitFor();
        },
      ],
      [
        'cancelled',
        async (p) => {
          await p.goto(`${server.baseUrl}${cancelPath}`);
          await p.getByRole('button', { name: 'Yes, cancel' }).click();
          await p.getByRole('heading', { name: 'Cancelled' }).waitFor();
        },
      ],
    ]);
  });

  test('participant pages', async () => {
    const context = await browser.newContext();
    const page = await signInAs(server, context, 'demo-participant@coproduce.example');
    await sweep(context, page, [
      ['account', visit('/account')],
      ['change details', visit('/account/details')],
      [
        'change details with errors',
        async (p) => {
          await p.goto(`${server.baseUrl}/account/details`);
          await p.getByLabel('Your name').fill('');
          await p.getByRole('button', { name: 'Save your details' }).click();
          await p.locator('.nhsuk-error-summary').waitFor();
        },
      ],
      ['consent', visit('/account/consents')],
      ['your bookings', visit('/account/bookings')],
      ['your data, to read', visit('/account/your-data')],
      [
        'consent after saying yes',
        async (p) => {
          await p.goto(`${server.baseUrl}/account/consents`);
          await p.getByRole('button', { name: 'Say yes to photos' }).click();
          await p.getByText('Your consent is recorded').waitFor();
        },
      ],
      ['erasure', visit('/account/erasure')],
      ['forbidden page', visit('/audit', 403)],
      ['register (signed in)', visit(`/events/${weekId}/register`)],
      ['my applications, with an offer', visit('/account/applications')],
      ['alumni', visit('/alumni')],
      ['someone else’s cohort', visit(`/cohorts/${pilotId}`, 404)],
      [
        'accepting an offer',
        async (p) => {
          await p.goto(`${server.baseUrl}/account/applications`);
          await p.getByRole('button', { name: 'Yes, I want the place' }).click();
          await p.getByText('You have a place').waitFor();
        },
      ],
      ['my cohort', visit(`/cohorts/${openCohortId}`)],
      [
        'my registration, with a waiting list',
        async (p) => {
          await p.goto(`${server.baseUrl}/events/${weekId}/register`);
          await p.getByLabel('Small group conversation: what next?').check();
          await p.getByLabel('Getting started with co-production').check();
          await p.getByRole('button', { name: 'Register' }).click();
          await p.getByRole('heading', { name: /Your place at/ }).waitFor();
        },
      ],
    ]);
  });

  test('facilitator pages', async () => {
    const context = await browser.newContext();
    const page = await signInAs(server, context, 'demo-facilitator@coproduce.example');
    await sweep(context, page, [['coaching notes, as the coach', visit(`/coaching/${coachingId}`)]]);
  });

  test('team chat pages, for anyone and for staff', async () => {
    const conversations = server.t.services.conversations;
    const leeds = (await conversations.list()).find((c) => c.title === 'Team Leeds Hearts and Minds')!;
    const chats = await conversations.chatsOf(leeds.id);
    const sent = chats.find((c) => c.status === 'submitted' && c.leadEmail && c.pledges.some((p) => !p.progress))!;
    const draft = chats.find((c) => c.status === 'draft')!;
    const draftPath = `/chats/${draft.id}?token=${conversations.chatToken(draft.id)}`;
    const followUpPath = `/chats/${sent.id}/pledges?token=${conversations.followUpToken(sent.id)}`;
    const anonymous = await browser.newContext();
    await sweep(anonymous, await anonymous.newPage(), [
      ['team chats', visit('/conversations')],
      ['a conversation', visit(`/conversations/${leeds.id}`)],
      ['record a chat', visit(`/conversations/${leeds.id}/chat`)],
      ['record a chat with errors', submitEmpty(`/conversations/${leeds.id}/chat`, 'Send')],
      ['finish a draft through its link', visit(draftPath)],
      ['a sent chat through its link', visit(`/chats/${sent.id}?token=${conversations.chatToken(sent.id)}&sent=1`)],
      ['follow up pledges', visit(followUpPath)],
      ['follow up pledges with an error', submitEmpty(followUpPath, 'Send')],
      ['follow up pledges, thanks', visit(`${followUpPath}&done=1`)],
      ['a link that does not work', visit(`/chats/${sent.id}?token=nope`, 404)],
    ]);
    const context = await browser.newContext();
    const page = await signInAs(server, context, 'demo-staff@coproduce.example');
    await sweep(context, page, [
      ['manage team chats', visit('/manage/conversations')],
      ['create a conversation', visit('/manage/conversations/new')],
      ['create a conversation with errors', submitEmpty('/manage/conversations/new', 'Save')],
      ['a conversation (staff)', visit(`/manage/conversations/${leeds.id}`)],
      ['change a conversation', visit(`/manage/conversations/${leeds.id}/edit`)],
      ['record a chat from paper', visit(`/manage/conversations/${leeds.id}/chats/new`)],
      ['record a chat from paper with errors', submitEmpty(`/manage/conversations/${leeds.id}/chats/new`, 'Send')],
      ['teams to phone', visit(`/manage/conversations/${leeds.id}/to-phone`)],
      ['steps after a phone call', visit(`/manage/chats/${sent.id}/pledges`)],
      ['what teams said', visit(`/manage/conversations/${leeds.id}/summary`)],
    ]);
  });

  test('story pages, for anyone, authors and staff', async () => {
    const stories = server.t.services.stories;
    const pathOf = (url: string) => {
      const u = new URL(url);
      return u.pathname + u.search;
    };
    // The demo has a story at each stage of moderation.
    const all = (await stories.queue()).stories;
    const flagged = all.find((s) => s.status === 'submitted' && s.flags.length)!;
    const asked = all.find((s) => s.status === 'changes_requested')!;
    const published = all.find((s) => s.status === 'published' && s.easyReadSummary && s.themes.length)!;
    const named = all.find((s) => s.status === 'published' && s.consentShowName)!;
    const rejected = all.find((s) => s.status === 'rejected')!;
    const withdrawn = all.find((s) => s.status === 'withdrawn')!;
    const lib = await stories.library({});
    const conversationId = lib.conversations[0]!.id;
    // A story by email has no consent yet: its author's page asks for it, and staff cannot publish it.
    const { storyId: emailedId } = await stories.receiveEmail({
      messageId: '<sweep-story@example.org>',
      fromEmail: 'sweep-teller@example.org',
      fromName: 'Sam Sweep',
      subject: 'The pharmacist who came to the care home',
      text: 'Our pharmacist came to the care home every month to go through everyone’s medicines with the nurses.',
      attachments: 0,
      receivedAt: new Date(),
      autoSubmitted: false,
    });
    // One to withdraw through its link, so the demo's own stories stay as they are.
    const { story: toWithdraw } = await stories.submit(
      null,
      {
        title: 'A story to withdraw',
        body: 'The ward and the hospice worked together.',
        consent: { publish: true, showName: false, quote: false },
      },
      { source: 'web' },
    );
    const participant = (await server.t.services.people.findActiveByEmail('demo-participant@coproduce.example'))!;
    const mine =
      (await stories.mine(participant.id))[0] ??
      (
        await stories.submit(
          { personId: participant.id, role: 'participant' },
          {
            title: 'The physio and the leisure centre',
            body: 'After my operation the physio team and the leisure centre planned my exercise together.',
            authorName: participant.name,
            consent: { publish: true, showName: true, quote: true },
          },
          { source: 'web' },
        )
      ).story;
    // One published and then taken down by staff, for its staff page and its author's.
    const moderator = (await server.t.services.people.findActiveByEmail('demo-staff@coproduce.example'))!;
    const { story: takenDown } = await stories.submit(
      null,
      {
        title: 'A story taken down',
        body: 'The ward and the hospice worked together.',
        consent: { publish: true, showName: false, quote: false },
      },
      { source: 'web' },
    );
    await stories.decide({ personId: moderator.id, role: 'staff' }, takenDown.id, { decision: 'publish' });
    await stories.decide({ personId: moderator.id, role: 'staff' }, takenDown.id, { decision: 'take_down', note: 'It names a street.' });
    const consentPath = (id: string) => pathOf(stories.consentUrl(id));
    const emailedPath = consentPath(emailedId!);
    const askedPath = consentPath(asked.id);
    const withdrawPath = `/stories/${toWithdraw.id}/withdraw?token=${new URL(stories.consentUrl(toWithdraw.id)).searchParams.get('token')}`;
    const anonymous = await browser.newContext();
    await sweep(anonymous, await anonymous.newPage(), [
      ['stories', visit('/stories')],
      ['stories of a conversation', visit(`/stories?conversation=${conversationId}`)],
      ['stories of a theme', visit(`/stories?theme=${encodeURIComponent(published.themes[0]!)}`)],
      ['stories, none match', visit('/stories?theme=No%20such%20theme')],
      ['a story, with easy read and themes', visit(`/stories/${published.id}`)],
      ['a story, with its author’s name', visit(`/stories/${named.id}`)],
      ['a story not published', visit(`/stories/${flagged.id}`, 404)],
      ['share your story', visit('/stories/new')],
      ['share your story, in a conversation', visit(`/stories/new?conversation=${conversationId}`)],
      ['share your story with errors', submitEmpty('/stories/new', 'Send my story')],
      ['thank you for your story', visit('/stories/thank-you?ref=0a1b2c3d&email=yes')],
      ['thank you, no email given', visit('/stories/thank-you?ref=0a1b2c3d&email=no')],
      ['your story, waiting to be checked', visit(consentPath(flagged.id))],
      ['your story, changes asked for', visit(askedPath)],
      [
        'your changed story with errors',
        async (p) => {
          await p.goto(`${server.baseUrl}${askedPath}`);
          await p.getByLabel('Title').fill('');
          await p.getByLabel('Your story').fill('');
          await p.getByRole('button', { name: 'Send my changed story' }).click();
          await p.locator('.nhsuk-error-summary').waitFor();
        },
      ],
      ['your story, published', visit(consentPath(published.id))],
      ['your story, taken down', visit(consentPath(takenDown.id))],
      ['your story, choices saved', visit(`${consentPath(published.id)}&saved=1`)],
      ['your story, not published', visit(consentPath(rejected.id))],
      ['your story, withdrawn', visit(consentPath(withdrawn.id))],
      ['your story, choices not answered', visit(emailedPath)],
      ['your choices with errors', submitEmpty(emailedPath, 'Save my choices')],
      ['your story, a link that does not work', visit(`/stories/${flagged.id}/consent?token=nope`, 404)],
      ['withdraw your story?', visit(withdrawPath)],
      [
        'your story is withdrawn',
        async (p) => {
          await p.goto(`${server.baseUrl}${withdrawPath}`);
          await p.getByRole('button', { name: 'Yes, withdraw my story' }).click();
          await p.getByRole('heading', { name: 'Your story is withdrawn' }).waitFor();
        },
      ],
    ]);
    const author = await browser.newContext();
    await sweep(author, await signInAs(server, author, 'demo-participant@coproduce.example'), [
      ['your stories', visit('/account/stories')],
      ['your stories, one withdrawn', visit('/account/stories?withdrawn=1')],
      ['your story, signed in', visit(`/stories/${mine.id}/consent`)],
      ['withdraw your story? (signed in)', visit(`/account/stories/${mine.id}/withdraw`)],
      ['share your story (signed in)', visit('/stories/new')],
      ['thank you for your story (signed in)', visit('/stories/thank-you?ref=0a1b2c3d&email=no')],
      ['someone else’s story', visit(`/stories/${flagged.id}/consent`, 404)],
    ]);
    const context = await browser.newContext();
    const page = await signInAs(server, context, 'demo-staff@coproduce.example');
    const flaggedPath = `/manage/stories/${flagged.id}`;
    await sweep(context, page, [
      ['moderate stories', visit('/manage/stories')],
      ['moderate stories, waiting to be checked', visit('/manage/stories?status=submitted')],
      ['moderate stories, changes asked for', visit('/manage/stories?status=changes_requested')],
      ['moderate stories, published', visit('/manage/stories?status=published')],
      ['moderate stories, not published', visit('/manage/stories?status=rejected')],
      ['moderate stories, withdrawn', visit('/manage/stories?status=withdrawn')],
      ['moderate stories, all', visit('/manage/stories?status=all')],
      ['a story with its details highlighted', visit(flaggedPath)],
      [
        'the flagged details taken out',
        async (p) => {
          await p.goto(`${server.baseUrl}${flaggedPath}`);
          await p.getByRole('button', { name: 'Take out all flagged details' }).click();
          await p.getByText('The flagged details are taken out').waitFor();
        },
      ],
      ['a decision with errors', submitEmpty(flaggedPath, 'Save my decision')],
      [
        'publishing with details left in',
        async (p) => {
          await p.goto(`${server.baseUrl}${flaggedPath}`);
          await p.getByLabel('Publish it', { exact: true }).check();
          await p.getByRole('button', { name: 'Save my decision' }).click();
          await p.locator('.nhsuk-error-summary').getByText('still contains personal details').waitFor();
        },
      ],
      [
        'publishing without consent',
        async (p) => {
          await p.goto(`${server.baseUrl}/manage/stories/${emailedId}`);
          await p.getByLabel('Publish it', { exact: true }).check();
          await p.getByRole('button', { name: 'Save my decision' }).click();
          await p.locator('.nhsuk-error-summary').getByText('has not answered the consent questions').waitFor();
        },
      ],
      ['withdrawing for the author with an error', submitEmpty(flaggedPath, 'Withdraw the story')],
      ['a story without consent yet', visit(`/manage/stories/${emailedId}?created=1`)],
      ['a story with changes asked for', visit(`/manage/stories/${asked.id}`)],
      ['a published story (staff)', visit(`/manage/stories/${published.id}?decided=publish`)],
      ['a published story, corrected', visit(`/manage/stories/${published.id}?corrected=1`)],
      ['correcting a published story with errors', submitEmpty(`/manage/stories/${published.id}`, 'Save the correction')],
      ['taking a story down with errors', submitEmpty(`/manage/stories/${published.id}`, 'Take it down')],
      ['a story taken down (staff)', visit(`/manage/stories/${takenDown.id}?takenDown=1`)],
      ['a rejected story', visit(`/manage/stories/${rejected.id}`)],
      ['a withdrawn story', visit(`/manage/stories/${withdrawn.id}?withdrawn=1`)],
      ['enter a story for someone', visit('/manage/stories/new')],
      ['enter a story for someone with errors', submitEmpty('/manage/stories/new', 'Save the story')],
    ]);
  });

  test('admin and staff pages', async () => {
    const context = await browser.newContext();
    const page = await signInAs(server, context, 'demo-admin@coproduce.example');
    const firstEmail = (await server.t.emailsTo('demo-admin@coproduce.example'))[0]!.file;
    // A place at the week to cancel from the staff list, and an answered question to change.
    const weekSession = (await server.t.services.events.sessionsOf(weekId))[0]!;
    const held = await server.t.services.registrations.register(null, { sessionId: weekSession.id, who: { personId } });
    const [question] = (
      await server.t.services.db.execute(sql`select id from form_questions where form_id = ${evaluationFormId} order by position limit 1`)
    ).rows as { id: string }[];
    await sweep(context, page, [
      ['your work', visit('/work')],
      ['add a person, then back to a booking', visit('/people/new?returnTo=%2Fmanage%2Fevents')],
      ['cancel a place, confirm', visit(`/manage/registrations/${held.registration.id}/cancel`)],
      ['people to phone', visit(`/manage/events/${weekId}/to-call`)],
      ['check in, everyone expected', visit(`/manage/events/${weekId}/check-in`)],
      ['copy a session', visit(`/manage/events/${weekId}/sessions/new?copy=${weekSession.id}`)],
      ['booked by phone or post', visit(`/manage/events/${weekId}/register-someone?booked=${personId}`)],
      ['copy a form or a template', visit('/manage/forms/copy')],
      ['copy this form', visit(`/manage/forms/copy?from=${openFormId}`)],
      ['change a question people have answered', visit(`/manage/forms/${evaluationFormId}/questions/${question!.id}`)],
      ['results, finding themes', visit(`/manage/forms/${evaluationFormId}/results?themes=asked`)],
      ['a cohort schedule, sessions to come', visit(`/manage/cohorts/${openCohortId}/schedule`)],
      ['a cohort, with a banner', visit(`/manage/cohorts/${openCohortId}?done=created`)],
      ['people', visit('/people')],
      ['people search', visit('/people?q=demo')],
      ['add a person', visit('/people/new')],
      ['add a person with errors', submitEmpty('/people/new', 'Add person')],
      ['a person', visit(`/people/${personId}`)],
      ['edit a person', visit(`/people/${personId}/edit`)],
      ['erasure requests', visit('/erasure-requests')],
      ['audit log', visit('/audit')],
      ['API tokens', visit('/admin/api-tokens')],
      ['emails not sent yet', visit('/admin/emails')],
      ['API tokens with an error', submitEmpty('/admin/api-tokens', 'Create token')],
      [
        'new API token',
        async (p) => {
          await p.goto(`${server.baseUrl}/admin/api-tokens`);
          await p.getByLabel('What is the token for?').fill('Warehouse');
          await p.getByRole('button', { name: 'Create token' }).click();
          await p.getByRole('heading', { name: 'Your new API token' }).waitFor();
        },
      ],
      ['outbox', visit('/outbox')],
      ['outbox message', visit(`/outbox/${firstEmail}`)],
      ['manage events', visit('/manage/events')],
      ['manage an event', visit(`/manage/events/${weekId}`)],
      ['create an event', visit('/manage/events/new')],
      ['create an event with errors', submitEmpty('/manage/events/new', 'Create event')],
      ['change an event', visit(`/manage/events/${conferenceId}/edit`)],
      ['add a session', visit(`/manage/events/${conferenceId}/sessions/new`)],
      ['add a session with errors', submitEmpty(`/manage/events/${conferenceId}/sessions/new`, 'Add session')],
      ['change a session', visit(`/manage/sessions/${sessionId}/edit`)],
      ['registrations', visit(`/manage/events/${weekId}/registrations`)],
      ['registrations, filtered', visit(`/manage/events/${weekId}/registrations?status=waitlisted`)],
      ['access needs', visit(`/manage/events/${conferenceId}/access`)],
      ['access needs, who', visit(`/manage/events/${conferenceId}/access?who=1`)],
      ['register someone', visit(`/manage/events/${conferenceId}/register-someone?q=demo`)],
      ['register on their behalf', visit(`/manage/events/${conferenceId}/register/${personId}`)],
      ['check in', visit(`/manage/events/${weekId}/check-in?q=demo`)],
      ['check in with an error', submitEmpty(`/manage/events/${weekId}/check-in`, 'Add and check in')],
      ['cancel an event', visit(`/manage/events/${weekId}/cancel`)],
      ['forms', visit('/manage/forms')],
      ['create a form', visit('/manage/forms/new')],
      ['create a form with errors', submitEmpty('/manage/forms/new', 'Create form')],
      ['build a form', visit(`/manage/forms/${openFormId}`)],
      ['change a form', visit(`/manage/forms/${openFormId}/settings`)],
      ['add a question with errors', submitEmpty(`/manage/forms/${openFormId}`, 'Add question')],
      ['preview a form', visit(`/manage/forms/${openFormId}/preview`)],
      ['print the QR code', visit(`/manage/forms/${evaluationFormId}/print`)],
      ['results with charts and themes', visit(`/manage/forms/${evaluationFormId}/results`)],
      [
        'a theme',
        // Looked up when visited: the demo's themes may be found again (new ids) while the sweep runs.
        async (p) => {
          const results = await server.t.services.results.results(evaluationFormId);
          const id = results.questions.find((q) => q.themes?.length)!.themes![0]!.id;
          await visit(`/manage/forms/${evaluationFormId}/themes/${id}`)(p);
        },
      ],
      ['the event report', visit(`/manage/events/${pastId}/report`)],
      ['page feedback for staff', visit('/manage/page-feedback')],
      ['manage programmes', visit('/manage/programmes')],
      ['create a programme', visit('/manage/programmes/new')],
      ['create a programme with errors', submitEmpty('/manage/programmes/new', 'Save')],
      ['a programme (staff)', visit(`/manage/programmes/${programmeId}`)],
      ['change a programme', visit(`/manage/programmes/${programmeId}/edit`)],
      ['add a cohort', visit(`/manage/programmes/${programmeId}/cohorts/new`)],
      ['add a cohort with errors', submitEmpty(`/manage/programmes/${programmeId}/cohorts/new`, 'Save')],
      ['change a cohort', visit(`/manage/cohorts/${openCohortId}/edit`)],
      ['applications with the mix meter', visit(`/manage/cohorts/${openCohortId}`)],
      ['applications, filtered', visit(`/manage/cohorts/${openCohortId}?status=shortlisted`)],
      ['an application', visit(`/manage/applications/${applicationId}`)],
      ['an offered application', visit(`/manage/applications/${offeredId}`)],
      ['schedule and attendance', visit(`/manage/cohorts/${pilotId}/schedule`)],
      [
        'add a cohort session',
        visit(`/manage/events/${(await server.t.services.programmes.getCohort(openCohortId)).eventId}/sessions/new`),
      ],
      ['group projects', visit(`/manage/cohorts/${openCohortId}/projects`)],
      ['group projects with errors', submitEmpty(`/manage/cohorts/${openCohortId}/projects`, 'Add project')],
      ['group projects, finished', visit(`/manage/cohorts/${pilotId}/projects`)],
      ['coaching', visit(`/manage/cohorts/${pilotId}/coaching`)],
      ['coaching with errors', submitEmpty(`/manage/cohorts/${openCohortId}/coaching`, 'Book')],
      ['graduation, to confirm', visit(`/manage/cohorts/${openCohortId}/graduation`)],
      ['graduation, done', visit(`/manage/cohorts/${pilotId}/graduation`)],
      ['applicants to phone', visit(`/manage/cohorts/${openCohortId}/to-call`)],
    ]);
  });

  test('boards, "You said, we did" and claims, for anyone, members, claimants and staff', async () => {
    const rows = async <T>(query: ReturnType<typeof sql>) => (await server.t.services.db.execute(query)).rows as T[];
    // The demo's co-production board, its meetings (two past, one to come) and the co-chair's action.
    const [board] = await rows<{ id: string }>(sql`select id from boards where published order by created_at limit 1`);
    const boardId = board!.id;
    const meetings = await rows<{ id: string; past: boolean }>(
      sql`select id, starts_at < now() as past from board_meetings where board_id = ${boardId} order by starts_at`,
    );
    const pastMeeting = meetings.find((m) => m.past)!.id;
    const nextMeeting = meetings.find((m) => !m.past)!.id;
    const [member] = await rows<{ id: string }>(sql`select id from board_members where board_id = ${boardId} limit 1`);
    const [action] = await rows<{ id: string }>(
      sql`select d.id from board_decisions d join people p on p.id = d.owner_id where p.email = 'demo-cochair@coproduce.example' limit 1`,
    );
    const [change] = await rows<{ id: string }>(sql`select id from changes where published_on is not null limit 1`);
    const [claim] = await rows<{ id: string }>(
      sql`select c.id from claims c join people p on p.id = c.person_id where p.email = 'demo-participant@coproduce.example' limit 1`,
    );
    const [anyClaim] = await rows<{ id: string; personId: string }>(
      sql`select id, person_id as "personId" from claims where status = 'submitted' order by created_at limit 1`,
    );

    const anonymous = await browser.newContext();
    await sweep(anonymous, await anonymous.newPage(), [
      ['boards', visit('/boards')],
      ['a board, in public', visit(`/boards/${boardId}`)],
      ['you said, we did', visit('/you-said-we-did')],
      ['you said, we did, done only', visit('/you-said-we-did?status=done')],
    ]);

    const coChair = await browser.newContext();
    await sweep(coChair, await signInAs(server, coChair, 'demo-cochair@coproduce.example'), [
      ['your boards', visit('/boards')],
      ['a board’s meetings and papers', visit(`/boards/${boardId}/meetings`)],
      ['a board’s meetings, easy read', visit(`/boards/${boardId}/meetings?read=easy`)],
      ['all decisions and actions', visit(`/boards/${boardId}/actions`)],
      ['all decisions and actions, filtered', visit(`/boards/${boardId}/actions?status=done`)],
      ['tell us if you are coming', visit(`/meetings/${nextMeeting}/reply`)],
      ['an action', visit(`/decisions/${action!.id}`)],
      [
        'check your claim, prefilled from meetings she came to',
        async (p) => {
          await p.goto(`${server.baseUrl}/claims/new`);
          await p.getByLabel('Time spent preparing, in hours (optional)').fill('1');
          await p.getByLabel('Bank transfer').check();
          await p.getByRole('button', { name: 'Continue' }).click();
          await p.getByRole('button', { name: 'Send my claim' }).waitFor();
        },
      ],
    ]);

    const claimant = await browser.newContext();
    await sweep(claimant, await signInAs(server, claimant, 'demo-participant@coproduce.example'), [
      ['your claims', visit('/claims')],
      ['a claim', visit(`/claims/${claim!.id}`)],
      ['make a claim', visit('/claims/new')],
      [
        'make a claim, with errors',
        async (p) => {
          await p.goto(`${server.baseUrl}/claims/new`);
          await p.getByLabel('Time spent preparing, in hours (optional)').fill('lots');
          await p.getByRole('button', { name: 'Continue' }).click();
          await p.locator('.nhsuk-error-summary').waitFor();
        },
      ],
    ]);

    const staff = await browser.newContext();
    await sweep(staff, await signInAs(server, staff, 'demo-staff@coproduce.example'), [
      ['manage boards', visit('/manage/boards')],
      ['create a board', visit('/manage/boards/new')],
      ['create a board with errors', submitEmpty('/manage/boards/new', 'Save')],
      ['a board (staff), with the mix', visit(`/manage/boards/${boardId}`)],
      ['change a board', visit(`/manage/boards/${boardId}/edit`)],
      ['find someone to add', visit(`/manage/boards/${boardId}/members/add?q=Rachel`)],
      ['a member', visit(`/manage/board-members/${member!.id}`)],
      ['add a meeting', visit(`/manage/boards/${boardId}/meetings/new`)],
      ['a meeting (staff), with replies', visit(`/manage/meetings/${nextMeeting}`)],
      ['add to the agenda', visit(`/manage/meetings/${nextMeeting}/agenda/new`)],
      ['minutes', visit(`/manage/meetings/${pastMeeting}/minutes`)],
      ['record a decision', visit(`/manage/meetings/${pastMeeting}/decisions/new`)],
      ['attendance', visit(`/manage/meetings/${pastMeeting}/attendance`)],
      ['record changes', visit('/manage/changes')],
      ['record a change', visit('/manage/changes/new')],
      ['a change (staff)', visit(`/manage/changes/${change!.id}`)],
      ['change a change', visit(`/manage/changes/${change!.id}/edit`)],
      ['claims', visit('/manage/claims')],
      ['claims waiting', visit('/manage/claims?status=submitted')],
      ['rates', visit('/manage/claims/rates')],
      ['claim for someone: find them', visit('/manage/claims/new?q=Joe')],
      ['claim for someone', visit(`/manage/claims/new/${anyClaim!.personId}`)],
      ['a claim (staff)', visit(`/manage/claims/${anyClaim!.id}`)],
    ]);
  });
});
