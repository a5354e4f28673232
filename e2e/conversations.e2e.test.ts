import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createPerson } from '../test/builders.ts';
import { londonDay } from '../src/lib/dates.ts';
import { useServerAndBrowser } from './support/browser.ts';

// Follow-ups go as soon as a chat is sent, so the journey can follow one through.
const h = useServerAndBrowser({ PLEDGE_FOLLOW_UP_DAYS: '0' });

test('on a phone with JavaScript off, a team lead records a chat (fixing a mistake) and follows up its pledges through the emailed link', async () => {
  const services = h.server.t.services;
  const staff = await createPerson(services, { email: 'leeds-organiser@example.org' }, 'staff');
  const conversation = await services.conversations.create(
    { personId: staff.id, role: 'staff' },
    {
      title: 'Team Leeds Hearts and Minds',
      summary: 'Hold a Team Leeds Chat with your team on four simple questions.',
      questions: [
        { key: 'felt', text: 'How has it felt for you during the pandemic?', prompt: 'Pause and listen.' },
        { key: 'steps', text: 'What steps will you take now?', steps: true },
      ],
      opensOn: '2026-01-01',
      closesOn: '2099-12-31',
    },
  );
  await services.conversations.setStatus({ personId: staff.id, role: 'staff' }, conversation.id, 'open');

  const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${h.server.baseUrl}/conversations`);
  await page.getByRole('link', { name: 'Team Leeds Hearts and Minds' }).click();
  await page.getByRole('link', { name: 'Tell us what your team said' }).click();

  await page.getByLabel('Team name').fill('Holt Park food bank');
  await page.getByLabel('Organisation').fill('Holt Park Food Bank');
  await page.getByLabel('Third sector (voluntary and community)').check();
  // Held yesterday, so the follow-up (9 am on the day, PLEDGE_FOLLOW_UP_DAYS=0) is due at any hour.
  const heldOn = londonDay(new Date(Date.now() - 86_400_000));
  await page.getByLabel('Day').fill(String(Number(heldOn.slice(8))));
  await page.getByLabel('Month').fill(String(Number(heldOn.slice(5, 7))));
  await page.getByLabel('Year').fill(heldOn.slice(0, 4));
  await page.getByLabel('How many people took part?').fill('none');
  await page.getByLabel('1. How has it felt for you during the pandemic?').fill('Busy, and proud of our volunteers.');
  await page.getByLabel('Step 1').fill('Invite the district nurses to our Friday session');
  await page.getByLabel('Step 2').fill('Put our leaflet in the GP surgery');
  await page.getByLabel('Your email address (optional)').fill('holt.park.lead@example.org');
  await page.getByRole('button', { name: 'Send' }).click();

  // The mistake comes back with what was typed kept, and the summary link leads to the box.
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /how many people took part, as a number/);
  assert.equal(await page.getByLabel('Step 2').inputValue(), 'Put our leaflet in the GP surgery');
  await summary.getByRole('link', { name: /how many people/ }).click();
  await page.getByLabel('How many people took part?').fill('6');
  // Nothing on the page is wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('heading', { name: 'Thank you for your team chat' }).waitFor();

  const email = await h.server.t.waitForEmail('holt.park.lead@example.org', { subject: /How did your team's steps go/ });
  const link = /https?:\/\/\S+\/pledges\?token=\S+/.exec(email.body)![0];
  await page.goto(link.replace(/^https?:\/\/[^/]+/, h.server.baseUrl));
  await page.getByRole('group', { name: 'Invite the district nurses to our Friday session' }).getByLabel('Done').check();
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Choose how “Put our leaflet in the GP surgery” went/);
  await page.getByRole('group', { name: 'Put our leaflet in the GP surgery' }).getByLabel('Started').check();
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();

  const db = new pg.Client({ connectionString: h.server.t.databaseUrl });
  await db.connect();
  const { rows } = await db.query(
    `select c.people_count, c.sector, p.text, p.progress from team_chats c join chat_pledges p on p.chat_id = c.id
     where c.team_name = 'Holt Park food bank' order by p.position`,
  );
  await db.end();
  assert.deepEqual(rows, [
    { people_count: 6, sector: 'third_sector', text: 'Invite the district nurses to our Friday session', progress: 'done' },
    { people_count: 6, sector: 'third_sector', text: 'Put our leaflet in the GP surgery', progress: 'started' },
  ]);
  const summaryApi = await services.conversations.summary(conversation.id);
  assert.equal(summaryApi.pledges.done, 1);
  await context.close();
});
