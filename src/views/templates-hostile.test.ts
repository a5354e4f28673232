/**
 * Every page that shows names, titles, labels or answers, rendered with hostile text in them.
 * People type their own names and staff type event, session, form and question titles, so any of
 * them may hold markup. The pages must show it as text: the raw markup must never reach the page,
 * and the escaped text must. This renders the real view environment (the one the app uses), with
 * contexts shaped like the ones the routes pass to `reply.view`, then every template under src/
 * once more with a generic context in which every value is hostile.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import QRCode from 'qrcode';
import { barChart, labelLines } from '../lib/charts.ts';
import { capitalise, pct } from '../modules/forms/forms-view.ts';
import { accessNeedLabel, experienceLabel, personFormOptions } from '../modules/people/people-view.ts';
import { createViewEnvironment, srcDir } from '../plugins/views.ts';

const HOSTILE = [
  '<b id=x>',
  '"><button formaction=/people/1/role name=role value=admin>',
  '<meta http-equiv=refresh content=0;url=//evil>',
] as const;
/** What must never appear in a page, whatever the hostile value. */
const RAW = ['<b id=x>', '<button formaction', '<meta http-equiv'];

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const env = createViewEnvironment({ branding: { orgName: 'Test Trust', isNhs: false, serviceName: 'Coproduce' }, demo: true, env: 'test' });

type Ctx = Record<string, unknown>;

/** What `reply.view` adds to every page (see registerViews), with a hostile signed-in person. */
const base = (h: string): Ctx => ({
  person: { id: h, name: h, role: 'admin' },
  csrfToken: h,
  csrfFor: () => h,
  currentPath: '/x',
  currentUrl: `/x?q=${h}`,
  feedbackState: null,
  navItems: [
    { href: '/events', text: 'Events', current: false },
    { href: '/people', text: 'People', current: true },
  ],
});

const render = (template: string, context: Ctx) => env.render(template, context);

function assertSafe(template: string, html: string, h: string, opts: { expectEscaped?: boolean } = {}) {
  for (const raw of RAW) {
    const at = html.indexOf(raw);
    assert.equal(
      at,
      -1,
      `${template}: hostile markup ${JSON.stringify(raw)} reached the page unescaped, near: ${JSON.stringify(html.slice(Math.max(0, at - 120), at + 80))}`,
    );
  }
  if (opts.expectEscaped !== false)
    assert.ok(html.includes(escapeHtml(h)), `${template}: the escaped text ${JSON.stringify(escapeHtml(h))} is not on the page`);
}

/**
 * Every string in a context replaced by the hostile value (dates, numbers and booleans kept), but
 * for `chart`: markup the server built (lib/charts.ts), tested on its own below.
 */
function everyString<T>(value: T, h: string): T {
  if (typeof value === 'string') return h as T;
  if (Array.isArray(value)) return value.map((v) => everyString(v, h)) as T;
  if (typeof value === 'function') return value;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'chart' ? v : everyString(v, h)])) as T;
  }
  return value;
}

const day = new Date('2030-05-01T09:00:00Z');
const later = new Date('2030-05-01T12:00:00Z');

/**
 * Contexts shaped as the routes build them; `h` goes into every free-text field. Enum fields
 * (status, role, type) keep real values here so the branches the routes reach are rendered;
 * `everyString` then makes those hostile too.
 */
const pages: Record<string, (h: string) => Ctx> = {
  'events/views/check-in.njk': (h) => {
    const session = (status: string, extra: Ctx = {}) => ({
      registrationId: h,
      title: h,
      when: h,
      status,
      waitlisted: status === 'waitlisted',
      position: status === 'waitlisted' ? 2 : null,
      walkIn: false,
      ...extra,
    });
    const card = (shownName: string, sessions: Ctx[], extra: Ctx = {}) => ({
      personId: h,
      name: h,
      shownName,
      pronouns: h,
      sessions,
      needs: ['Step-free access', h],
      notes: [h],
      toArrive: sessions.filter((x) => x.status !== 'attended').length,
      arrived: sessions.every((x) => x.status === 'attended'),
      pendingTitle: h,
      initial: h,
      ...extra,
    });
    return {
      title: `Check in: ${h}`,
      event: { id: h, title: h, summary: h, when: h, startsAt: day, endsAt: later, past: false },
      q: h,
      sheet: {
        day: '2026-07-06',
        dayText: h,
        days: [
          { value: '2026-07-06', text: h, current: true },
          { value: '2026-07-07', text: h, current: false },
        ],
        expected: 3,
        arrived: 1,
        shownCount: 3,
        groups: [
          {
            letter: h,
            cards: [
              card(h, [session('confirmed'), session('waitlisted')]),
              card(h, [session('attended', { walkIn: true })], { needs: [], notes: [], pronouns: null }),
              card(h, [session('confirmed')], { needs: [], notes: [] }),
            ],
          },
        ],
      },
      attended: 3,
      sessionItems: [{ value: h, text: h }],
      options: personFormOptions,
      values: { name: h, labelName: h, experience: h, sessionId: h },
      errors: { name: h, labelName: h, experience: h, sessionId: h },
      errorList: [{ text: h, href: '#walkInName' }],
      banner: `${h} is checked in`,
    };
  },
  'events/views/my-registration.njk': (h) => ({
    title: `Your place at ${h}`,
    event: { id: h, title: h, when: h, past: false },
    rows: ['confirmed', 'waitlisted', 'attended'].map((status, i) => ({
      registration: { id: h, status, labelName: h, sessionId: h, personId: h },
      session: {
        id: h,
        title: h,
        whenFull: h,
        when: h,
        formatLabel: h,
        format: 'online',
        joinUrl: `https://example.org/${h}`,
        capacity: 10,
        placesLeft: 1,
      },
      position: i,
    })),
    done: true,
    cancelled: true,
  }),

  'forms/views/manage-form.njk': (h) => ({
    title: h,
    form: { id: h, title: h, intro: h, status: 'open', anonymous: true, easyRead: true, eventId: h },
    questions: [0, 1, 2].map((i) => ({
      id: h,
      formId: h,
      key: h,
      position: i,
      type: 'single_choice',
      text: h,
      easyReadText: h,
      options: [h],
      required: true,
      hidden: i === 1,
      typeLabel: h,
      optionsText: h,
    })),
    typeItems: [{ value: h, text: h }],
    values: { type: h, text: h, easyReadText: h, options: h, key: h, required: h },
    errors: { text: h, easyReadText: h, type: h, options: h, key: h },
    errorList: [{ text: h, href: '#text' }],
    banner: h,
    publicLink: `https://example.org/f/${h}`,
  }),

  'account/views/account.njk': (h) => ({
    title: 'Your account',
    me: {
      id: h,
      name: h,
      labelName: h,
      pronouns: h,
      experience: h,
      organisation: h,
      email: h,
      phone: h,
      accessNeeds: ['step_free', h],
      accessNotes: h,
      role: 'staff',
      pendingEmail: h,
    },
    accessNeedLabel,
    experienceLabel,
    roleLabel: h,
    banner: `We have sent a link to ${h}`,
  }),

  'account/views/consents.njk': (h) => ({
    title: 'Your consent',
    current: [
      { purpose: h, title: h, wording: h, given: { givenAt: day, purpose: h } },
      { purpose: h, title: h, wording: h, given: null },
    ],
    history: [{ purpose: h, givenAt: day, withdrawnAt: later, wording: h }],
    banner: h,
  }),

  'people/views/show.njk': (h) => ({
    title: h,
    subject: {
      id: h,
      name: h,
      labelName: h,
      pronouns: h,
      experience: h,
      organisation: h,
      email: h,
      phone: h,
      postalAddress: h,
      contactPreference: h,
      accessNeeds: ['hearing_loop', h],
      accessNotes: h,
      role: 'participant',
      isDemo: true,
      erasureRequestedAt: null,
      pendingEmail: h,
    },
    consents: [
      { purpose: h, title: h, wording: h, given: { givenAt: day } },
      { purpose: h, title: h, wording: h, given: null },
    ],
    accessNeedLabel,
    experienceLabel,
    roleLabel: h,
    roleItems: [{ value: h, text: h }],
    canChangeRole: true,
    banner: h,
    errorList: [{ text: h, href: '#role' }],
  }),

  'forms/views/results.njk': (h) => {
    const counts = { [h]: 3, [`${h} again`]: 1 };
    const q = {
      key: h,
      id: h,
      type: 'single_choice',
      text: h,
      hidden: true,
      answered: 4,
      counts,
      topTwoShare: 0.5,
      number: { mean: 2, min: 1, max: 3 },
      themes: [{ id: h, label: h, count: 2, examples: [h] }],
      byExperience: {
        lived: { answered: 2, counts, topTwoShare: 0.5 },
        professional: { answered: 1, counts },
        both: { answered: 1, counts },
      },
    };
    return {
      title: `Results: ${h}`,
      form: { id: h, title: h, anonymous: false },
      r: { formId: h, title: h, anonymous: false, responses: 4, invited: 5, attended: 4, responseRate: 1, questions: [q] },
      rate: pct(1),
      // As the results route builds each question, chart included.
      questions: [q].map((x, i) => ({
        ...x,
        chart: barChart(
          `chart-${i}`,
          x.text,
          Object.entries(x.counts).map(([label, value]) => ({ label: capitalise(label), value })),
        ),
        rows: Object.entries(x.counts).map(([option, n]) => ({
          option: capitalise(option),
          n,
          share: pct(n / x.answered),
          lived: 1,
          professional: 0,
          both: 0,
        })),
        topTwo: { all: pct(0.5), lived: pct(0.5), professional: pct(0), both: pct(0) },
        themes: x.themes
          .map((t) => ({ ...t, mergeItems: [{ value: h, text: h }] }))
          .concat([{ id: h, label: h, count: 1, examples: [h], mergeItems: [{ value: h, text: h }] }]),
        answers: [{ id: 1, text: h, consent: 'named', starred: true, themes: [h] }],
      })),
      banner: h,
    };
  },

  'forms/views/report.njk': (h) => {
    const counts = { [h]: 2, excellent: 1 };
    const q = {
      key: h,
      id: h,
      type: 'rating',
      text: h,
      hidden: false,
      answered: 3,
      counts,
      topTwoShare: 0.6,
      themes: [{ id: h, label: h, count: 2, examples: [h] }],
    };
    return {
      title: `Report: ${h}`,
      report: {
        eventId: h,
        title: h,
        when: { startsAt: day.toISOString(), endsAt: later.toISOString() },
        registered: 5,
        attended: 3,
        attendedByExperience: { lived: 1, professional: 1, both: 1 },
        sessions: [0, 1].map(() => ({
          id: h,
          title: h,
          registered: 2,
          attended: 1,
          attendedByExperience: { lived: 1, professional: 0, both: 0 },
        })),
        evaluation: { formId: h, title: h, responses: 3, responseRate: 1, excellentOrGoodShare: 0.6 },
        results: null,
        quotes: [{ text: h, attribution: h }],
        headlines: [h],
      },
      when: h,
      rate: pct(1),
      goodShare: pct(0.6),
      // As the report route builds each question, chart included.
      questions: [q].map((x, i) => ({
        ...x,
        chart: barChart(
          `report-chart-${i}`,
          x.text,
          Object.entries(x.counts).map(([label, value]) => ({ label: capitalise(label), value })),
        ),
        rows: Object.entries(x.counts).map(([option, n]) => ({ option: capitalise(option), n })),
        topTwo: pct(0.6),
      })),
      headlinesText: h,
      errors: {},
      banner: h,
    };
  },
};

describe('pages show hostile names, titles, labels and answers as text', () => {
  for (const [template, context] of Object.entries(pages)) {
    test(template, () => {
      for (const h of HOSTILE) {
        assertSafe(template, render(template, { ...base(h), ...context(h) }), h);
        // Every string of the context hostile, enum fields included (other branches of the page).
        assertSafe(`${template} (every string hostile)`, render(template, { ...base(h), ...everyString(context('plain'), h) }), h);
      }
    });
  }

  test('the signed-in person’s name in the header is text', () => {
    for (const h of HOSTILE) {
      const html = render('errors/404.njk', { ...base(h), title: 'Page not found' });
      assertSafe('layout.njk', html, h);
      const account = html.indexOf('href="/account"');
      assert.ok(
        account > 0 && html.slice(account, html.indexOf('</a>', account)).includes(escapeHtml(h)),
        'the header’s account link shows the name, escaped',
      );
      assert.match(
        html,
        /<button class="nhsuk-header__account-button" type="submit">Sign out<\/button>/,
        'the sign-out button is still real markup',
      );
    }
  });

  test('the check-in button still tells screen readers who arrives for what', () => {
    const ctx = pages['events/views/check-in.njk']!('x');
    const session = { registrationId: 'r1', title: 'Morning & lunch', when: '10am', status: 'confirmed', waitlisted: false, walkIn: false };
    const card = { personId: 'p1', name: 'Ann Lee', shownName: 'Annie <3', sessions: [session], needs: [], notes: [], toArrive: 1 };
    const one = { ...card, arrived: false, pendingTitle: 'Morning & lunch', initial: 'A' };
    const two = { ...one, personId: 'p2', shownName: 'Bo', sessions: [session, { ...session, registrationId: 'r2' }], toArrive: 2 };
    const sheet = { ...(ctx.sheet as Ctx), groups: [{ letter: 'A', cards: [one, two] }] };
    const html = render('events/views/check-in.njk', { ...base('x'), ...ctx, sheet });
    assert.match(html, /Arrived<span class="nhsuk-u-visually-hidden">: Annie &lt;3, Morning &amp; lunch<\/span>/);
    assert.match(html, /Arrived<span class="nhsuk-u-visually-hidden">: Bo, all 2 sessions<\/span>/);
  });

  test('the cancel button still says which session, to screen readers', () => {
    const ctx = pages['events/views/my-registration.njk']!('x');
    const rows = [
      { registration: { id: 'a', status: 'confirmed' }, session: { title: 'Talk <1>' }, position: 0 },
      { registration: { id: 'b', status: 'waitlisted' }, session: { title: 'Walk & talk' }, position: 2 },
    ];
    const html = render('events/views/my-registration.njk', { ...base('x'), ...ctx, rows });
    assert.match(html, /Cancel my place<span class="nhsuk-u-visually-hidden"> for Talk &lt;1&gt;<\/span>/);
    assert.match(html, /Leave the waiting list<span class="nhsuk-u-visually-hidden"> for Walk &amp; talk<\/span>/);
  });

  test('the consent buttons still say which consent, to screen readers', () => {
    const html = render('account/views/consents.njk', {
      ...base('x'),
      current: [
        { purpose: 'photos', title: 'Photos & <video>', wording: 'w', given: { givenAt: day } },
        { purpose: 'contact', title: 'Contact', wording: 'w', given: null },
      ],
      history: [],
    });
    assert.match(html, /Withdraw<span class="nhsuk-u-visually-hidden"> to photos &amp; &lt;video&gt;<\/span>/);
    assert.match(html, /Say yes<span class="nhsuk-u-visually-hidden"> to contact<\/span>/);
  });

  test('the question buttons still name the question, to screen readers', () => {
    const ctx = pages['forms/views/manage-form.njk']!('x');
    const questions = ['One & <two>', 'Three'].map((text, i) => ({ id: `q${i}`, text, hidden: i === 1, typeLabel: 'Text' }));
    const html = render('forms/views/manage-form.njk', { ...base('x'), ...ctx, questions });
    assert.match(html, /Down<span class="nhsuk-u-visually-hidden">: One &amp; &lt;two&gt;<\/span><\/button>/);
    assert.match(html, /Remove<span class="nhsuk-u-visually-hidden">: One &amp; &lt;two&gt;<\/span><\/button>/);
    assert.match(html, /Up<span class="nhsuk-u-visually-hidden">: Three<\/span><\/button>/);
    assert.match(html, /Show again<span class="nhsuk-u-visually-hidden">: Three<\/span><\/button>/);
    assert.match(
      html,
      /<button type="submit" class="nhsuk-button">Open the form<\/button>|<button type="submit" class="nhsuk-button nhsuk-button--secondary">Close the form<\/button>/,
    );
  });

  test('access needs are still a list, with hostile needs as text', () => {
    for (const template of ['account/views/account.njk', 'people/views/show.njk']) {
      const html = render(template, { ...base('x'), ...pages[template]!('<b id=x>') });
      assert.match(html, /<ul class="nhsuk-list nhsuk-list--bullet"><li>[^<]+<\/li><li>&lt;b id=x&gt;<\/li><\/ul>/, template);
    }
  });

  test('charts: question text and option labels are escaped inside the SVG', () => {
    for (const h of HOSTILE) {
      const svg = barChart(
        'chart-0',
        h,
        [
          { label: h, value: 2 },
          { label: 'ok', value: 1 },
        ],
        { unit: h },
      );
      for (const raw of RAW) assert.ok(!svg.includes(raw), `the chart holds raw ${raw}`);
      assert.ok(svg.includes(`<title id="chart-0-title">${escapeHtml(h)}</title>`), 'the title is there, escaped');
      // The label wraps onto lines (tspans): each line is there, escaped.
      for (const line of labelLines(h)) assert.ok(svg.includes(`>${escapeHtml(line)}</tspan>`), `the label line ${line} is there, escaped`);
      // Nothing in the SVG opens an element other than the chart's own.
      assert.deepEqual([...new Set(svg.match(/<[a-z]+/g))].sort(), ['<desc', '<rect', '<svg', '<text', '<title', '<tspan']);
    }
  });

  test('the QR code page: the code holds no text, the title is escaped', async () => {
    for (const h of HOSTILE) {
      const qr = await QRCode.toString(`https://example.org/f/${h}`, { type: 'svg', margin: 2, width: 400 });
      // The QR code's SVG is only paths: the address it encodes is not written into it as text.
      assert.deepEqual([...new Set(qr.match(/<[a-z]+/g))].sort(), ['<path', '<svg']);
      const html = render('forms/views/print.njk', {
        ...base(h),
        title: `Print: ${h}`,
        form: { id: h, title: h },
        qr: qr.replace('<svg ', '<svg role="img" aria-label="QR code for the form" '),
        publicLink: `https://example.org/f/${h}`,
      });
      assertSafe('forms/views/print.njk', html, h);
      assert.match(html, /<div class="app-qr"><svg role="img" aria-label="QR code for the form" /);
    }
  });
});

// ---- every template, with a generic hostile context --------------------------------------------

function templatesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return templatesUnder(full);
    return name.endsWith('.njk') ? [full] : [];
  });
}

const allTemplates = templatesUnder(srcDir);

/** The names a template may look up: every identifier inside its tags, strings left out. */
const KEYWORDS = new Set(
  'if elif else endif for in endfor set endset block endblock extends include import from as macro endmacro call endcall filter endfilter with without context ignore missing and or not is true false none null undefined loop caller super range cycler joiner branding demo True False None'.split(
    ' ',
  ),
);
const tagsOf = (src: string) =>
  (src.match(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g) ?? []).map((t) => t.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
const allTags = allTemplates.flatMap((file) => tagsOf(readFileSync(file, 'utf8')));
const lookupNames = [...new Set(allTags.flatMap((t) => t.match(/(?<![.\w])[A-Za-z_]\w*/g) ?? []))].filter((n) => !KEYWORDS.has(n));
/** Names called as functions (`accessNeedLabel(n)`); macros a template defines or imports take precedence. */
const calledNames = new Set(allTags.flatMap((t) => [...t.matchAll(/(?<![.\w|] ?)([A-Za-z_]\w*)\(/g)].map((m) => m[1]!)));

/**
 * A value that is hostile whatever a template does with it: shown, it is the hostile text; looked
 * into, it has hostile members; looped over, it has two hostile items; used as a string (lower,
 * capitalize, replace, truncate), it is the hostile string; as a number, 0. It has no `html` or
 * `attributes` member: the routes never put those in what they pass (they give `text`), and the
 * nhsuk macros take them as markup by design. Nor a `chart` (or a top-level `qr`): those are SVG
 * the server builds (lib/charts.ts, the qrcode package), shown with a reviewed `| safe` and tested
 * with hostile text above.
 */
const STRING_METHODS = new Set([
  'toLowerCase',
  'toUpperCase',
  'replace',
  'replaceAll',
  'split',
  'trim',
  'slice',
  'substr',
  'substring',
  'charAt',
  'indexOf',
  'lastIndexOf',
  'startsWith',
  'endsWith',
  'includes',
  'concat',
  'localeCompare',
  'normalize',
  'padStart',
  'padEnd',
  'repeat',
]);
const ARRAY_METHODS = new Set(['map', 'filter', 'forEach', 'reduce', 'some', 'every', 'find', 'findIndex', 'flatMap', 'sort', 'reverse']);
function hostileValue(h: string, depth = 0): unknown {
  return new Proxy([], {
    has: () => false,
    get(_t, key) {
      if (key === Symbol.toPrimitive) return (hint: string) => (hint === 'number' ? 0 : h);
      if (typeof key === 'symbol') return undefined;
      if (key === 'toString' || key === 'valueOf' || key === 'toJSON' || key === 'join') return () => h;
      if (key === 'html' || key === 'attributes' || key === 'chart' || key === 'then' || key === 'constructor') return undefined;
      if (key === 'length') return 2;
      if (STRING_METHODS.has(key))
        return (...args: unknown[]) => (h as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!(...args);
      const child = depth >= 6 ? h : hostileValue(h, depth + 1);
      if (ARRAY_METHODS.has(key))
        return (...args: unknown[]) => ([child, child] as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!(...args);
      return child;
    },
  });
}

// listHtml: manage-registrations-list.njk rendered by the route, itself tested here with hostile values.
const SERVER_MARKUP = new Set(['qr', 'listHtml']);
const hostileContext = (h: string): Ctx =>
  Object.fromEntries(
    lookupNames.filter((n) => !SERVER_MARKUP.has(n)).map((n) => [n, calledNames.has(n) ? () => hostileValue(h) : hostileValue(h)]),
  );

describe('every template, with every value hostile', () => {
  for (const file of allTemplates) {
    const template = path
      .relative(path.join(srcDir, file.startsWith(path.join(srcDir, 'views')) ? 'views' : 'modules'), file)
      .split(path.sep)
      .join('/');
    test(template, () => {
      for (const h of HOSTILE) {
        const html = render(template, hostileContext(h));
        // Macro files render nothing by themselves; the pages that import them are rendered here too.
        assertSafe(template, html, h, { expectEscaped: /\{%\s*extends/.test(readFileSync(file, 'utf8')) });
      }
    });
  }
});
