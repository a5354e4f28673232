import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { assertAccessiblePdf, assertPopplerAccepts, pdfText } from '../../../test/pdf.ts';
import { type ChatPackInput, renderChatPack } from './chat-pack-pdf.ts';
import type { SummaryWithChanges as ConversationSummary } from './conversations-summary.ts';
import { renderSummaryPdf } from './summary-pdf.ts';

const pack: ChatPackInput = {
  title: 'Team Leeds Chat',
  summary: 'Team Leeds Hearts and Minds wants to hear how your team has worked with others.',
  easyReadSummary: 'We want to hear from your team. Tell us how you work with other teams.',
  questions: [
    { key: 'q1', text: 'How has it felt for you during the pandemic?', prompt: 'Give everyone a chance to pause and listen.' },
    { key: 'q2', text: 'Have you worked with colleagues from other teams?', prompt: 'Collect stories of joined-up working.' },
    { key: 'q3', text: 'What might make it easier to build relationships?', prompt: null },
    { key: 'q4', text: 'What steps will you take now?', prompt: 'This is your call to action.' },
  ],
  opensOn: '2027-03-01',
  closesOn: '2027-03-31',
  orgName: 'Leeds Health and Care Partnership',
  serviceName: 'Coproduce',
  recordUrl: 'https://coproduce.example/conversations/abc/chats/new',
  storyUrl: 'https://coproduce.example/stories/new',
};

async function pageCount(pdf: Buffer): Promise<number> {
  return (await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise).numPages;
}
/** pdfjs splits text into runs; squash the spaces so a wrapped sentence can still be found. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

const summary: ConversationSummary = {
  conversation: { id: 'c1', title: 'Team Leeds Chat', status: 'open', opensOn: '2027-03-01', closesOn: '2027-03-31' },
  chats: 17,
  people: 143,
  lived: 29,
  organisations: 11,
  organisationNames: ['Leeds Teaching Hospitals', 'Voluntary Action Leeds'],
  bySector: { nhs: 12, council: 4, third_sector: 1, independent: 0, other: 0 },
  peopleBySector: { nhs: 100, council: 35, third_sector: 8, independent: 0, other: 0 },
  questions: [
    {
      key: 'q1',
      text: 'How has it felt for you during the pandemic?',
      answered: 16,
      themes: [{ label: 'Tired but proud', count: 9, terms: ['tired', 'proud'], examples: ['We were exhausted but proud of each other'] }],
      thirdSector: [{ text: 'Our volunteers kept the lunch club going by phone', teamName: 'Lunch club' }],
    },
    { key: 'q2', text: 'Have you worked with colleagues from other teams?', answered: 0, themes: [], thirdSector: [] },
  ],
  themesFoundAt: '2027-03-20T10:00:00.000Z',
  evenBetterIf: ['Shared rotas between the ward and the council team'],
  pledges: {
    total: 23,
    followedUp: 14,
    done: 6,
    started: 5,
    notYet: 2,
    dropped: 1,
    examples: [{ text: 'Invite the carers centre to our huddle', teamName: 'Ward 7 team', progress: 'started' }],
  },
  stories: [{ id: 's1', title: 'The lunch club that never closed', excerpt: 'When the hall shut, we moved online.', authorName: null }],
  generatedAt: '2027-03-21T09:00:00.000Z',
};

describe('chat pack PDF', () => {
  it('is a facilitator guide with the questions, prompts, closing date and a reflections sheet', async () => {
    const pdf = await renderChatPack(pack, { easyRead: false });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const s = await assertAccessiblePdf(pdf, { title: 'Team Leeds Chat: facilitator pack' });
    await assertPopplerAccepts(pdf);
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'H1').map((e) => e.text),
      ['Team Leeds Chat', 'Reflections sheet'],
    );
    const items = s.elements.filter((e) => e.role === 'LBody').map((e) => e.text);
    assert.equal(
      items[0],
      'Everyone speaks once before anyone speaks twice. Go round the room for each question.',
      'how to include everyone is a list',
    );
    const text = flat(await pdfText(pdf));
    for (const q of pack.questions) assert.ok(text.includes(q.text), q.text);
    assert.ok(text.includes('Give everyone a chance to pause and listen.'));
    assert.ok(text.includes('This is your call to action.'));
    assert.ok(text.includes('31 March 2027'));
    assert.ok(text.includes('60 to 90 minutes'));
    assert.ok(text.includes('Everyone speaks once before anyone speaks twice'));
    assert.ok(text.includes('Reflections sheet'));
    assert.ok(text.includes('Steps we will take'));
    assert.ok(text.includes(pack.recordUrl));
    assert.ok(text.includes(pack.storyUrl));
    assert.ok(text.includes('Third sector (voluntary and community)'));
  });

  it('gives a range of time and the right words for a chat of one question', async () => {
    const text = flat(await pdfText(await renderChatPack({ ...pack, questions: [pack.questions[0]!] }, { easyRead: false })));
    assert.ok(text.includes('Allow about 30 to 40 minutes. That is roughly 15 to 20 minutes for the question,'), text.slice(0, 600));
  });

  it('has an easy-read version: easy words, the easy-read summary and a page for each question', async () => {
    const pdf = await renderChatPack(pack, { easyRead: true });
    await assertAccessiblePdf(pdf, { title: 'Team Leeds Chat: easy read' });
    const text = flat(await pdfText(pdf));
    assert.ok(text.includes('Talk about these questions together'));
    assert.ok(text.includes('Write down what you said'));
    assert.ok(text.includes('We want to hear from your team.'));
    assert.ok(text.includes('31 March 2027'));
    for (const q of pack.questions) assert.ok(text.includes(q.text), q.text);
    assert.ok((await pageCount(pdf)) >= pack.questions.length + 1);
    // Each question has a page to itself: no page holds two of them.
    const pages = (await pdfText(pdf)).split('\n').map(flat);
    for (const q of pack.questions) {
      const page = pages.find((pg) => pg.includes(q.text));
      assert.ok(page, q.text);
      assert.equal(pack.questions.filter((other) => page.includes(other.text)).length, 1, q.text);
    }
  });

  it('wraps a very long question rather than failing or cutting it off', async () => {
    const long = 'Have you been able to work together with colleagues from different health, care or third sector teams? '.repeat(5).trim();
    const longWord = 'x'.repeat(300);
    const input = { ...pack, easyReadSummary: null, questions: [{ key: 'q1', text: `${long} ${longWord}`, prompt: long }] };
    for (const easyRead of [false, true]) {
      const text = flat(await pdfText(await renderChatPack(input, { easyRead })));
      assert.ok(text.includes('third sector teams? Have you been able'), 'the question is all there');
      assert.ok(text.replace(/ /g, '').includes(longWord), 'a long unbroken word is split, not lost');
    }
  });
});

describe('summary PDF', () => {
  it('is a board paper with the figures, themes, third-sector words, pledges and stories', async () => {
    const pdf = await renderSummaryPdf(summary, { orgName: 'Leeds Health and Care Partnership' });
    const s = await assertAccessiblePdf(pdf, { title: /Team Leeds Chat/ });
    await assertPopplerAccepts(pdf);
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'Figure').map((e) => e.text),
      ['Bar chart of chats by sector: NHS 12, Council 4, Third sector (voluntary and community) 1, Independent care provider 0, Other 0.'],
    );
    assert.ok(s.elements.some((e) => e.role === 'TH' && e.text === 'Sector'));
    const text = flat(await pdfText(pdf));
    assert.ok(text.includes('What teams said: Team Leeds Chat'));
    assert.ok(text.includes('1 March 2027') && text.includes('31 March 2027'));
    assert.ok(text.includes('21 March 2027'), 'the date it was made');
    for (const figure of ['17', '143', '11', '29']) assert.ok(text.includes(figure), figure);
    assert.ok(text.includes('Third sector (voluntary and community)'));
    assert.ok(text.includes('Third-sector teams held 1 chat of 17 (6%)'));
    assert.ok(text.includes('Tired but proud: 9 teams'));
    assert.ok(text.includes('tired, proud'));
    assert.ok(text.includes('“We were exhausted but proud of each other”'));
    assert.ok(text.includes('From third-sector teams'));
    assert.ok(text.includes('Our volunteers kept the lunch club going by phone'));
    assert.ok(text.includes('No teams have answered this yet.'));
    assert.ok(text.includes('Shared rotas between the ward and the council team'));
    assert.ok(text.includes('23 steps pledged; 14 followed up'));
    assert.ok(text.includes('Done: 6') && text.includes('Dropped: 1'));
    assert.ok(text.includes('Ward 7 team (Started)'));
    assert.ok(text.includes('The lunch club that never closed'));
    assert.ok(text.includes('Anonymous'));
  });

  it('says so in words when there is nothing yet', async () => {
    const empty: ConversationSummary = {
      ...summary,
      chats: 0,
      people: 0,
      lived: 0,
      organisations: 0,
      organisationNames: [],
      bySector: { nhs: 0, council: 0, third_sector: 0, independent: 0, other: 0 },
      peopleBySector: { nhs: 0, council: 0, third_sector: 0, independent: 0, other: 0 },
      questions: summary.questions.map((q) => ({ ...q, answered: 0, themes: [], thirdSector: [] })),
      themesFoundAt: null,
      evenBetterIf: [],
      pledges: { total: 0, followedUp: 0, done: 0, started: 0, notYet: 0, dropped: 0, examples: [] },
      stories: [],
    };
    const text = flat(await pdfText(await renderSummaryPdf(empty, { orgName: 'Leeds Health and Care Partnership' })));
    for (const words of [
      'No chats yet',
      'No teams have answered this yet',
      'No steps pledged yet',
      'No stories published yet',
      'ideas yet',
    ])
      assert.ok(text.includes(words), words);
  });
});
