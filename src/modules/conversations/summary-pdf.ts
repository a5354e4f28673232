import { SECTORS } from '../../db/schema.ts';
import { dayInWords } from '../../lib/dates.ts';
import { pdfWriter, type TextStyle } from '../../lib/pdf.ts';
import { type ConversationSummary, PROGRESS_LABELS, SECTOR_LABELS } from './conversations-schemas.ts';
import type { SummaryWithChanges } from './conversations-summary.ts';

const GREY = '#4c6272';
const BLUE = '#005eb8';
const PALE = '#e8edee';

/** A share in words: a small sector is "under 1%", never rounded away to nothing. */
function share(n: number, total: number): string {
  if (!total || !n) return '0%';
  const p = (n / total) * 100;
  return p < 1 ? 'under 1%' : `${Math.round(p)}%`;
}
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
const quote = (t: string) => `“${t.trim().replace(/\s+/g, ' ')}”`;
const generatedOn = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(d);
};

/** The board paper for a conversation: what teams said, who took part and what they pledged, as an A4 PDF. */
export function renderSummaryPdf(summary: SummaryWithChanges, meta: { orgName: string }): Promise<Buffer> {
  const c = summary.conversation;
  const title = `What teams said: ${c.title}`;
  const w = pdfWriter({ title, author: meta.orgName, subject: `Summary of team chats for ${c.title}`, creator: 'Coproduce' });
  const { doc, say, ensure } = w;
  const h2 = (t: string) => {
    ensure(70);
    doc.moveDown(0.8);
    say(t, { size: 15, bold: true, tag: 'H2', after: 0.3 });
  };
  const h3 = (t: string) => {
    ensure(45);
    doc.moveDown(0.3);
    say(t, { size: 12, bold: true, tag: 'H3', after: 0.2 });
  };
  const p = (t: string, extra: Partial<TextStyle> = {}) => say(t, { size: 10.5, after: 0.25, ...extra });
  const quotes = (items: string[], max: number) => {
    for (const q of items.slice(0, max)) p(quote(q), { x: w.left + 12 });
  };

  say(title, { size: 20, bold: true, tag: 'H1', after: 0.3 });
  p(`Chats from ${dayInWords(c.opensOn)} to ${dayInWords(c.closesOn)}.`);
  p(`Generated on ${generatedOn(summary.generatedAt)} by ${meta.orgName}.`, { colour: GREY });

  h2('Headline figures');
  if (!summary.chats) p('No chats yet.');
  tiles(w, [
    [summary.chats, summary.chats === 1 ? 'chat held' : 'chats held'],
    [summary.people, summary.people === 1 ? 'person reached' : 'people reached'],
    [summary.organisations, summary.organisations === 1 ? 'organisation' : 'organisations'],
    [summary.lived, 'with lived experience'],
  ]);
  p('People with lived experience are counted where teams told us.', { colour: GREY });

  h2('Chats by sector');
  sectorTable(w, summary);
  const third = summary.bySector.third_sector;
  p(
    summary.chats
      ? `Third-sector teams held ${plural(third, 'chat')} of ${summary.chats} (${share(third, summary.chats)}).`
      : 'No chats yet, so no sector has taken part yet.',
  );

  h2('What teams said, question by question');
  if (!summary.themesFoundAt && summary.chats)
    p('Themes have not been found yet: they are worked out from the reflections.', { colour: GREY });
  if (!summary.questions.length) p('This conversation has no questions.');
  summary.questions.forEach((q, i) => {
    h3(`${i + 1}. ${q.text}`);
    p(q.answered ? `${plural(q.answered, 'team')} answered.` : 'No teams have answered this yet.');
    if (q.answered && !q.themes.length) p('No themes yet.');
    for (const t of q.themes) {
      ensure(40);
      p(`${t.label}: ${plural(t.count, 'team')}`, { bold: true, after: 0.1 });
      if (t.terms.length) p(`Words used: ${t.terms.join(', ')}`, { colour: GREY, after: 0.1 });
      quotes(t.examples, 2);
    }
    p('From third-sector teams', { bold: true, after: 0.1 });
    for (const e of q.thirdSector.slice(0, 2)) p(`${quote(e.text)} – ${e.teamName}`, { x: w.left + 12 });
    if (!q.thirdSector.length) p('No third-sector teams have answered this yet.', { x: w.left + 12 });
  });

  h2('Even better if');
  if (summary.evenBetterIf.length) quotes(summary.evenBetterIf, 5);
  else p('No “even better if” ideas yet.');

  h2('Steps teams pledged');
  const pl = summary.pledges;
  if (!pl.total) p('No steps pledged yet.');
  else {
    p(`${plural(pl.total, 'step')} pledged; ${pl.followedUp} followed up so far.`);
    p(
      `${PROGRESS_LABELS.done}: ${pl.done}. ${PROGRESS_LABELS.started}: ${pl.started}. ${PROGRESS_LABELS.not_yet}: ${pl.notYet}. ` +
        `${PROGRESS_LABELS.dropped}: ${pl.dropped}.`,
    );
    if (pl.total > 5) p(`Five of the ${pl.total} steps:`);
    for (const e of pl.examples.slice(0, 5))
      p(`${quote(e.text)} – ${e.teamName} (${e.progress ? PROGRESS_LABELS[e.progress] : 'no update yet'})`, { x: w.left + 12 });
  }

  h2('Published stories');
  if (!summary.stories.length) p('No stories published yet.');
  for (const s of summary.stories) {
    ensure(50);
    p(s.title, { bold: true, after: 0.1 });
    p(s.excerpt, { after: 0.1 });
    p(`By ${s.authorName?.trim() || 'Anonymous'}`, { colour: GREY });
  }

  h2('What changed');
  const changes = summary.whatChanged ?? [];
  if (!changes.length) p('No changes from this conversation have been published yet.');
  for (const c of changes) {
    ensure(70);
    p('You said', { bold: true, after: 0.1 });
    p(c.youSaid, { after: 0.15 });
    p('We did', { bold: true, after: 0.1 });
    p(c.weDid, { after: 0.15 });
    p(`${c.statusText}. Published ${c.publishedOnText}${c.theme ? `. Theme: ${c.theme}` : ''}.`, { colour: GREY });
  }
  doc.end();
  return w.done;
}

type Writer = ReturnType<typeof pdfWriter>;

/** Four headline numbers side by side, each in a pale box. */
function tiles(w: Writer, items: [number, string][]) {
  const gap = 10;
  const tileWidth = (w.width - gap * (items.length - 1)) / items.length;
  const height = 62;
  w.ensure(height + 10);
  const top = w.doc.y;
  items.forEach(([n, label], i) => {
    const x = w.left + i * (tileWidth + gap);
    w.artifact(() => w.doc.rect(x, top, tileWidth, height).fill(PALE));
    w.doc.y = top + 8;
    w.say(n.toLocaleString('en-GB'), { size: 22, bold: true, x: x + 8, width: tileWidth - 16 });
    w.say(label, { size: 9.5, x: x + 8, width: tileWidth - 16 });
  });
  w.doc.y = top + height + 8;
}

/**
 * Each sector's chats and people: a bar chart (a figure that reads its figures out) and the same
 * figures as a table. Every sector is listed, so a small one is seen as small rather than missing.
 */
function sectorTable(w: Writer, summary: ConversationSummary) {
  const { doc } = w;
  const barWidth = 240;
  const max = Math.max(1, ...SECTORS.map((s) => summary.bySector[s]));
  // Shares of the chats the table counts, so the column adds up to 100%.
  const total = SECTORS.reduce((sum, s) => sum + summary.bySector[s], 0);
  w.ensure(16 * SECTORS.length + 10);
  const alt = `Bar chart of chats by sector: ${SECTORS.map((s) => `${SECTOR_LABELS[s]} ${summary.bySector[s]}`).join(', ')}.`;
  w.figure(alt, () => {
    for (const s of SECTORS) {
      const n = summary.bySector[s];
      const y = doc.y;
      w.write(SECTOR_LABELS[s], { size: 9.5 }, { x: w.left, y, width: 200 });
      // A sector with any chats gets at least a sliver of bar, so it never looks like none.
      const length = n ? Math.max(3, (barWidth * n) / max) : 0;
      doc.rect(w.left + 205, y + 1, barWidth, 9).fill(PALE);
      if (length) doc.rect(w.left + 205, y + 1, length, 9).fill(BLUE);
      doc.y = Math.max(doc.y, y + 14) + 2;
      doc.x = w.left;
    }
  });
  doc.moveDown(0.3);
  w.table(
    [
      { header: 'Sector', width: 3.2 },
      { header: 'Chats', width: 1, align: 'right' },
      { header: 'Share', width: 1, align: 'right' },
      { header: 'People', width: 1, align: 'right' },
    ],
    SECTORS.map((s) => [
      SECTOR_LABELS[s],
      String(summary.bySector[s]),
      share(summary.bySector[s], total),
      String(summary.peopleBySector[s]),
    ]),
  );
}
