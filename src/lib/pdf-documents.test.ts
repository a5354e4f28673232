import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import * as fontkit from 'fontkit';
import { assertAccessiblePdf, assertPopplerAccepts, inOrder, pdfText, readingOrder, type StructNode } from '../../test/pdf.ts';
import { renderLabels } from '../modules/events/labels-pdf.ts';
import { renderLetter } from '../modules/events/letters-pdf.ts';
import type { EventReport } from '../modules/forms/event-report-service.ts';
import { renderReportPdf } from '../modules/forms/report-pdf.ts';
import { renderCertificate } from '../modules/programmes/certificate-pdf.ts';
import { rootDir } from '../plugins/paths.ts';
import { textRuns } from './pdf-fonts.ts';

/** Names as people write them: Polish, Greek, Russian, Arabic, Urdu, Hebrew, Bengali, Hindi, Punjabi, Gujarati, Tamil. */
const NAMES = [
  'Zoë Łukasz Wiśniewska',
  'Αλέξανδρος Παπαδόπουλος',
  'Анна Сергеевна Иванова',
  'فاطمة الزهراء',
  'محمد عمران خان',
  'שרה לוי',
  'সুমাইয়া বেগম',
  'प्रिया शर्मा',
  'ਹਰਪ੍ਰੀਤ ਕੌਰ',
  'ધ્રુવ પટેલ',
  'கயல்விழி',
];

describe('documents everyone can read', () => {
  test('a sheet of labels: tagged, each name and pronouns a paragraph in the order the labels run, every script read back as written', async () => {
    const labels = NAMES.map((name, i) => ({ name, pronouns: i % 3 === 0 ? 'she/her' : null }));
    // More than a page of them, so the second page is checked too.
    labels.push(...NAMES.slice(0, 6).map((name) => ({ name: `${name} II`, pronouns: 'they/them' })));
    const pdf = await renderLabels(labels, { title: 'Name labels: Co-production week' });
    const s = await assertAccessiblePdf(pdf, { title: 'Name labels: Co-production week' });
    await assertPopplerAccepts(pdf);
    const paragraphs = s.elements.filter((e) => e.role === 'P').map((e) => e.text);
    assert.deepEqual(
      paragraphs,
      labels.flatMap((l) => [l.name, ...(l.pronouns ? [l.pronouns] : [])]),
    );
    assert.equal(s.pages.length, 2);
    // The Latin, Greek and Cyrillic names are in the page's own text too, not only in the tags.
    const text = (await pdfText(pdf)).replace(/\s+/g, '');
    for (const word of ['Wiśniewska', 'Παπαδόπουλος', 'Иванова']) assert.ok(text.includes(word), word);
  });

  test('a certificate: the name in any script, a heading, the QR code a figure saying where it leads', async () => {
    const certificate = {
      name: 'فاطمة الزهراء',
      achievement: 'Leading Together',
      cohortName: 'Leading Together 2027',
      issuedOn: '2027-06-30',
      issuer: 'Leeds Health and Care Partnership',
      serial: 'LT-2027-0042',
      verifyUrl: 'https://coproduce.example/certificates/LT-2027-0042',
      revoked: false,
    };
    const pdf = await renderCertificate(certificate);
    await assertPopplerAccepts(pdf);
    const s = await assertAccessiblePdf(pdf, { title: 'Certificate: Leading Together' });
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'H1').map((e) => e.text),
      ['Certificate of completion'],
    );
    const order = readingOrder(s);
    assert.ok(
      inOrder(order, ['Certificate of completion', 'This is to certify that', 'فاطمة الزهراء', 'has completed', 'Leading Together']),
      order,
    );
    const figures = s.elements.filter((e) => e.role === 'Figure');
    assert.equal(figures.length, 1);
    assert.match(figures[0]!.text!, /QR code.*https:\/\/coproduce\.example\/certificates\/LT-2027-0042/);
    assert.doesNotMatch(order, /revoked/i);
    assert.ok(
      s.elements.some((e) => e.role === 'Link' && e.text === `Link: ${certificate.verifyUrl}`),
      'the address is a tagged link',
    );
    const linkNode = (n: StructNode): StructNode | undefined =>
      n.role === 'Link' ? n : n.children.map((c) => ('role' in c ? linkNode(c) : undefined)).find(Boolean);
    assert.ok(
      linkNode(s.pages[0]!)?.children.some((c) => !('role' in c) && c.type === 'object'),
      'the link annotation belongs to the Link element',
    );

    const revoked = await assertAccessiblePdf(await renderCertificate({ ...certificate, revoked: true }), { title: /Certificate/ });
    assert.match(readingOrder(revoked), /This certificate has been revoked\./);
  });

  test('an event report: headings where headings are, charts as figures that read out their figures, real tables with header cells that repeat on a new page', async () => {
    const sessions = Array.from({ length: 45 }, (_, i) => ({
      id: `s${i}`,
      title: `Masterclass ${i + 1}: ${NAMES[i % NAMES.length]}`,
      registered: 40 + i,
      attended: 30 + i,
      attendedByExperience: { lived: 10 + i, professional: 15, both: 5 },
    }));
    const report: EventReport = {
      eventId: 'e1',
      title: '#PatientsasPartners16',
      when: { startsAt: '2016-03-14T09:30:00Z', endsAt: '2016-03-14T16:30:00Z' },
      registered: 120,
      attended: 100,
      attendedByExperience: { lived: 52, professional: 38, both: 10 },
      sessions,
      evaluation: { formId: 'f1', title: 'Evaluation', responses: 70, responseRate: 0.7, excellentOrGoodShare: 0.97 },
      results: {
        questions: [
          {
            text: 'How would you rate the day?',
            counts: { Excellent: 50, Good: 18, Fair: 2 },
            topTwoShare: 0.97,
            themes: [{ label: 'Listening', count: 12, ratings: null }],
          },
        ],
      } as unknown as EventReport['results'],
      quotes: [{ text: 'It was the first time I felt heard.', attribution: 'Said by someone with lived experience' }],
      headlines: ['70% of those who came told us what they thought.'],
      whatChanged: [],
    };
    const pdf = await renderReportPdf(report, { orgName: 'NHS England (demo)' });
    const s = await assertAccessiblePdf(pdf, { title: 'Event report: #PatientsasPartners16' });
    await assertPopplerAccepts(pdf);
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'H2').map((e) => e.text),
      ['Headlines', 'Who came', 'What they thought', 'What they said', 'In their words', 'What changed'],
    );
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'H1').map((e) => e.text),
      ['Event report: #PatientsasPartners16'],
    );
    assert.deepEqual(
      s.elements.filter((e) => e.role === 'LBody').map((e) => e.text),
      report.headlines,
      'the headlines are a list',
    );
    const figures = s.elements.filter((e) => e.role === 'Figure').map((e) => e.text);
    assert.deepEqual(figures, [
      'Bar chart of who came, by experience: Lived experience 52, Professional 38, Both 10 (100 in all).',
      'Bar chart of answers to “How would you rate the day?”: Excellent 50, Good 18, Fair 2 (70 in all).',
    ]);
    // Three tables (the two charts' figures and the sessions), each a header row then data rows.
    const headers = s.elements.filter((e) => e.role === 'TH').map((e) => e.text);
    assert.equal(headers.filter((h) => h === 'Number').length, 2, 'each chart has its data table');
    assert.deepEqual(headers.slice(2, 10), ['Session', 'Booked', 'Came', 'Lived experience', 'Professional', 'Both', 'Answer', 'Number']);
    const sessionCells = s.elements.filter((e) => e.role === 'TD' && e.text?.startsWith('Masterclass')).map((e) => e.text);
    assert.deepEqual(
      sessionCells,
      sessions.map((x) => x.title),
      'every session once, in order, in its own cell',
    );
    // The sessions table runs onto a second page, where its header row is printed again for the eye
    // but tagged once.
    const secondPage = s.elements.filter((e) => e.page === 2 && e.role === 'TD');
    assert.ok(secondPage.length > 0, 'the table carries on over the page');
    assert.match(
      (await pdfText(pdf)).split('\n')[1]!,
      /^\s*Session\s+Booked\s+Came/,
      'the header row is printed again at the top of the new page',
    );
    assert.equal(headers.filter((h) => h === 'Session').length, 1, 'and is in the structure once');
    assert.ok(
      inOrder(readingOrder(s), [
        'Who came',
        'Registered: 120',
        'Each session',
        'What they thought',
        '70 responses',
        'In their words',
        'first time I felt heard',
      ]),
    );
  });

  test('the fonts shipped shape what they print: Arabic letters join, right to left, and Indic vowel signs reorder', async () => {
    const face = (family: string, subset: string) =>
      fontkit.create(
        readFileSync(path.join(rootDir, 'node_modules/@fontsource', family, 'files', `${family}-${subset}-400-normal.woff`)),
      ) as fontkit.Font;
    const arabic = face('noto-sans-arabic', 'arabic');
    const word = arabic.layout('فاطمة');
    const alone = arabic.layout('ف');
    // Laid out right to left: the first letter is the last glyph, in its joining (initial) form.
    assert.deepEqual(word.glyphs.at(-1)!.codePoints, [0x641]);
    assert.notEqual(word.glyphs.at(-1)!.id, alone.glyphs[0]!.id, 'the initial form, not the letter alone');
    // Devanagari: the vowel sign ि is written after its consonant and printed before it.
    const devanagari = face('noto-sans', 'devanagari').layout('कि');
    assert.deepEqual(
      devanagari.glyphs.map((g) => g.codePoints),
      [[0x93f], [0x915]],
    );
    // And every face used for the names above is in the documents' faces.
    for (const name of NAMES)
      assert.ok(
        textRuns(name).every((run) => !run.font.startsWith('noto-sans-latin-') || /^[\p{Script=Latin}\s]*$/u.test(run.text)),
        name,
      );
  });

  test('a letter: tagged, in reading order, with a name in another script', async () => {
    const pdf = await renderLetter({
      from: 'Leeds Health and Care Partnership',
      to: { name: 'Анна Сергеевна Иванова', address: '1 Park Row\nLeeds\nLS1 5AB' },
      eventTitle: 'Co-production week',
      sessions: [{ title: 'Getting started', when: 'Monday 1 March, 10am', where: 'Online', status: 'confirmed', waitlisted: false }],
    });
    const s = await assertAccessiblePdf(pdf, { title: 'Your booking: Co-production week' });
    await assertPopplerAccepts(pdf);
    assert.ok(readingOrder(s).includes('Анна Сергеевна Иванова'));
  });
});
