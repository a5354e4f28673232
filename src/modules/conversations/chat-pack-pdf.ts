import { dayInWords } from '../../lib/dates.ts';
import { BLUE, GREY, INK, pdfWriter, type TextStyle } from '../../lib/pdf.ts';
import { SECTOR_LABELS } from './conversations-schemas.ts';

export interface ChatPackInput {
  title: string;
  summary: string;
  easyReadSummary: string | null;
  /** A question with `steps` is answered with the steps the team will take, in the steps box. */
  questions: { key: string; text: string; prompt: string | null; steps?: boolean }[];
  opensOn: string;
  /** YYYY-MM-DD */
  closesOn: string;
  orgName: string;
  serviceName: string;
  /** Where to record the chat online. */
  recordUrl: string;
  storyUrl: string;
}

/** Minutes to allow: 15 to 20 a question plus about 10 to agree steps, so four questions is 60 to 90. */
function timeToAllow(questions: number) {
  const round5 = (n: number) => Math.round(n / 5) * 5;
  const low = round5(Math.max(30, questions * 15));
  // Never "30 to 30 minutes": a range, however few the questions.
  return { low, high: Math.max(low + 10, round5(questions * 20 + 10)) };
}

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((t) => t.trim())
    .filter(Boolean);
/** Easy read wants one idea a line: each sentence of the easy-read summary on its own line. */
const sentences = (text: string) =>
  text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9“"'(])/)
    .map((t) => t.trim())
    .filter(Boolean);

const INCLUDE_EVERYONE = [
  'Everyone speaks once before anyone speaks twice. Go round the room for each question.',
  'Make room for quieter people. Ask them directly and kindly, and give them time to think.',
  'If your team includes people who use services or carers, make sure their views carry the same weight as everyone else’s.',
  'Take a short break halfway through, and say at the start that people can step out when they need to.',
  'Use plain words. Avoid jargon and acronyms, or explain them when they come up.',
  'Choose a room everyone can get into and hear in, or a call everyone can join. Ask beforehand what people need.',
  'Anyone can pass on a question. Nobody has to share more than they want to.',
  'What is said stays in the room unless the group agrees to share it.',
  'Write down what people reflected on, not who said it. Leave names out of your notes.',
];

/** The printable pack for a team chat: a facilitator guide and a reflections sheet, or the easy-read version of both. */
export function renderChatPack(input: ChatPackInput, opts: { easyRead: boolean }): Promise<Buffer> {
  const w = pdfWriter({
    title: opts.easyRead ? `${input.title}: easy read` : `${input.title}: facilitator pack`,
    author: input.orgName,
    subject: opts.easyRead ? 'Easy read guide and sheet for a team chat' : 'Facilitator guide and reflections sheet for a team chat',
    creator: input.serviceName,
  });
  if (opts.easyRead) easyReadPack(w, input);
  else standardPack(w, input);
  w.doc.end();
  return w.done;
}

type Writer = ReturnType<typeof pdfWriter>;

function standardPack(w: Writer, input: ChatPackInput) {
  const { say, ensure } = w;
  const h2 = (t: string) => {
    ensure(60);
    w.doc.moveDown(0.6);
    say(t, { size: 15, bold: true, tag: 'H2', after: 0.3 });
  };
  const p = (t: string, extra: Partial<TextStyle> = {}) => say(t, { size: 11, after: 0.3, ...extra });
  const closes = dayInWords(input.closesOn);
  const time = timeToAllow(input.questions.length);

  say(input.title, { size: 22, bold: true, tag: 'H1', after: 0.2 });
  say('A guide for the person leading your team’s chat', { size: 13, colour: GREY, after: 0.2 });
  p(`From ${input.orgName}. Chats can be held from ${dayInWords(input.opensOn)} to ${closes}.`);

  h2('What this conversation is for');
  for (const para of paragraphs(input.summary)) p(para);

  h2('How long to allow');
  p(
    `Allow about ${time.low} to ${time.high} minutes. That is roughly 15 to 20 minutes ` +
      `${input.questions.length === 1 ? 'for the question' : `for each of the ${input.questions.length} questions`}, plus a few minutes at the end to agree the steps you will take.`,
  );

  h2('How to include everyone');
  w.list(INCLUDE_EVERYONE, { size: 11, after: 0.2 });

  h2('The questions');
  input.questions.forEach((q, i) => {
    ensure(50);
    say(`${i + 1}. ${q.text}`, { size: 12, bold: true, tag: 'H3', after: 0.2 });
    if (q.prompt) p(`For the facilitator: ${q.prompt}`, { colour: GREY });
    w.doc.moveDown(0.2);
  });

  h2('After the chat: share your reflections');
  p('Record your team’s reflections online:');
  p(input.recordUrl, { link: input.recordUrl, colour: BLUE });
  p(`Or fill in the reflections sheet at the end of this pack and give it to the programme team at ${input.orgName}.`);
  p(`Please share your reflections by ${closes}.`, { bold: true });

  h2('Share a story');
  p('If your team has a story of working well with colleagues in other teams or organisations, we would love to hear it:');
  p(input.storyUrl, { link: input.storyUrl, colour: BLUE });

  w.doc.addPage();
  say('Reflections sheet', { size: 20, bold: true, tag: 'H1', after: 0.2 });
  p(`${input.title}. Write down what your team reflected on, not who said it.`);
  w.doc.moveDown(0.4);
  for (const label of [
    'Team name:',
    'Organisation:',
    'Date of the chat:',
    'Number of people:',
    'Lived experience of using services or caring (if people are happy to say):',
  ])
    w.field(label, 11);
  sectorBoxes(w, 11);

  input.questions.forEach((q, i) => {
    const text = `${i + 1}. ${q.text}`;
    if (q.steps) return stepsBox(w, text, 11, 5, 26);
    w.doc.moveDown(0.6);
    ensure(w.heightOf(text, { size: 11, bold: true }) + 3 * 24);
    say(text, { size: 11, bold: true, tag: 'H2' });
    w.rules(6, 24);
  });
  if (!input.questions.some((q) => q.steps)) stepsBox(w, 'Steps we will take', 11, 5, 26);
}

/** Tick one box: so every sector, the third sector included, is named on paper as well as online. */
function sectorBoxes(w: Writer, size: number) {
  w.ensure(size * 8);
  w.say('Sector (tick one):', { size, bold: true, after: 0.3 });
  const labels = Object.values(SECTOR_LABELS);
  const colWidth = w.width / 2;
  const top = w.doc.y;
  labels.forEach((label, i) => {
    const x = w.left + (i % 2) * colWidth;
    const y = top + Math.floor(i / 2) * (size * 2);
    w.artifact(() => w.doc.rect(x, y, size, size).lineWidth(0.75).strokeColor(INK).stroke());
    w.doc.y = y;
    w.say(label, { size, x: x + size + 6, width: colWidth - size - 12 });
  });
  w.doc.y = top + Math.ceil(labels.length / 2) * (size * 2);
}

/** A framed box of numbered lines for the team's steps, kept whole on one page. */
function stepsBox(w: Writer, heading: string, size: number, count: number, gap: number) {
  const pad = 10;
  const height = pad * 2 + size * 1.6 + count * gap + 4;
  w.doc.moveDown(0.8);
  w.ensure(height);
  const top = w.doc.y;
  w.artifact(() => w.doc.rect(w.left, top, w.width, height).lineWidth(1.5).strokeColor(BLUE).stroke());
  w.doc.y = top + pad;
  w.say(heading, { size: size + 2, bold: true, tag: 'H2', x: w.left + pad, width: w.width - pad * 2 });
  for (let i = 1; i <= count; i++) {
    const y = w.doc.y + gap;
    w.doc.y = y - size;
    w.say(`${i}.`, { size, x: w.left + pad, width: 20 });
    w.writeOn(w.left + pad + 22, w.left + w.width - pad, y);
    w.doc.y = y + 2;
  }
  w.doc.y = top + height + 4;
}

function easyReadPack(w: Writer, input: ChatPackInput) {
  const BODY = 16;
  const line = (t: string, extra: Partial<TextStyle> = {}) => w.say(t, { size: BODY, after: 0.5, ...extra });
  const h1 = (t: string) => w.say(t, { size: 26, bold: true, tag: 'H1', after: 0.5 });
  const h2 = (t: string) => {
    w.ensure(90);
    w.doc.moveDown(0.4);
    w.say(t, { size: 20, bold: true, tag: 'H2', after: 0.4 });
  };
  const n = input.questions.length;
  const closes = dayInWords(input.closesOn);

  h1(input.title);
  line('This is an easy read guide to your team chat.');
  for (const s of sentences(input.easyReadSummary || input.summary)) line(s);

  h2('What to do');
  line('Talk about these questions together.');
  line(`There ${n === 1 ? 'is 1 question' : `are ${n} questions`}.`);
  line('Write down what you said.');
  line('The chat takes about 1 hour to 1 and a half hours.');
  line('Have a break if you need one.');

  h2('Everyone can take part');
  line('Everyone gets a turn to talk.');
  line('Let each person finish.');
  line('You can say “pass” if you do not want to answer.');
  line('Use easy words.');
  line('Say what short forms like “NHS” mean.');
  line('What people say stays in the room.');
  line('Do not write down people’s names.');

  input.questions.forEach((q, i) => {
    // The steps question is answered on the "Our steps" page.
    if (q.steps) return;
    w.doc.addPage();
    w.say(`Question ${i + 1} of ${n}`, { size: BODY, colour: GREY, after: 0.3 });
    w.say(q.text, { size: 22, bold: true, tag: 'H2', after: 0.4 });
    if (q.prompt) line(`To help you think: ${q.prompt}`, { colour: GREY });
    line('Write down what you said.', { bold: true });
    // Fill the rest of the page with wide-spaced lines: at least four, even if the question is long.
    w.rules(Math.max(4, Math.floor((w.bottom() - w.doc.y) / 36)), 36);
  });

  w.doc.addPage();
  w.say('Our steps', { size: 22, bold: true, tag: 'H2', after: 0.4 });
  const steps = input.questions.find((q) => q.steps);
  line(steps ? steps.text : 'What will your team do next?');
  line('Write down your steps.');
  stepsBox(w, 'Steps we will take', BODY, 5, 40);

  w.doc.addPage();
  w.say('When you have finished', { size: 22, bold: true, tag: 'H2', after: 0.4 });
  for (const label of ['Team name:', 'Date:', 'How many people:']) w.field(label, BODY);
  w.doc.moveDown(0.5);
  line('Put what you said on the website:');
  line(input.recordUrl, { link: input.recordUrl, colour: BLUE });
  line(`Or give this paper to the team at ${input.orgName}.`);
  line(`Please do this by ${closes}.`, { bold: true });
  h2('Tell us a story');
  line('Do you have a story about working well with other teams?');
  line('Tell us here:');
  line(input.storyUrl, { link: input.storyUrl, colour: BLUE });
}
