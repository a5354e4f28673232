import type { Db } from '../../db/client.ts';
import type { Form, FormQuestion } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { FormsRepository } from './forms-repository.ts';
import { SCALES } from './forms-schemas.ts';
import { optionsOf } from './answers.ts';
import type { ResultsRepository } from './results-repository.ts';
import type { Logger } from '../../logger.ts';
import { THEMES_QUEUE } from '../../jobs/jobs.ts';
import { analyseInWorker, type AnalyseThemes } from './themes/analyse.ts';

const EXPERIENCES = ['lived', 'professional', 'both'] as const;

export interface QuestionResult {
  key: string;
  id: string;
  type: FormQuestion['type'];
  text: string;
  hidden: boolean;
  answered: number;
  counts: Record<string, number>;
  /** Share in the two most positive options (rating, agreement); 0 to 1. */
  topTwoShare?: number;
  byExperience?: Record<(typeof EXPERIENCES)[number], { answered: number; counts: Record<string, number>; topTwoShare?: number }>;
  number?: { mean: number; min: number; max: number };
  themes?: ThemeResult[];
}

/** How the people whose answers fall in a theme answered the form's (first) rating question. */
export interface RatingMix {
  questionKey: string;
  answered: number;
  counts: Record<string, number>;
  /** Share who rated fair or worse: what unhappy people talked about. */
  fairOrWorseShare: number;
}

export interface ThemeResult {
  id: string;
  label: string;
  count: number;
  terms: string[];
  examples: string[];
  ratings?: RatingMix;
}

/** A queued theme run not finished after this long is taken as lost: the page offers to try again. */
const THEMES_STALE_MINUTES = 15;

/** Themes are found again while a form is open once this many answers have arrived, and a fifth more than last time. */
const THEMES_MINIMUM_ANSWERS = 10;
const THEMES_GROWTH = 0.2;

export interface FormResults {
  formId: string;
  title: string;
  anonymous: boolean;
  responses: number;
  invited: number;
  attended: number | null;
  /** For an event's form: responses ÷ people who came. Otherwise ÷ people invited. */
  responseRate: number | null;
  questions: QuestionResult[];
}

const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : 0);

export function createResultsService(deps: {
  db: Db;
  forms: FormsRepository;
  results: ResultsRepository;
  jobs: Pick<Jobs, 'enqueue'>;
  /** While a form is open, themes are found again at most this often. */
  themesRefreshMinutes: number;
  log: Pick<Logger, 'warn' | 'info'>;
  analyse?: AnalyseThemes;
}) {
  const { db, results } = deps;
  const analyse = deps.analyse ?? analyseInWorker;

  async function formOrThrow(id: string): Promise<Form> {
    const form = await deps.forms.findForm(db, id);
    if (!form) throw new NotFoundError('No form with that id');
    return form;
  }

  return {
    async results(formId: string): Promise<FormResults> {
      const form = await formOrThrow(formId);
      const questions = await deps.forms.questions(db, formId);
      const rating = questions.find((q) => q.type === 'rating' && !q.hidden);
      const [responses, invited, aggregates, themes, mix] = await Promise.all([
        results.responseCount(db, formId),
        deps.forms.invitedCount(db, formId),
        results.aggregates(db, questions),
        results.themes(db, formId),
        rating ? results.ratingMix(db, formId, rating.id) : Promise.resolve([]),
      ]);
      const ratingsOf = (themeId: string): RatingMix | undefined => {
        if (!rating) return undefined;
        const options = SCALES.rating;
        const counts = Object.fromEntries(options.map((o) => [o, mix.find((m) => m.themeId === themeId && m.choice === o)?.n ?? 0]));
        const answered = Object.values(counts).reduce((a, b) => a + b, 0);
        const unhappy = options.slice(2).reduce((n, o) => n + counts[o]!, 0);
        return { questionKey: rating.key, answered, counts, fairOrWorseShare: share(unhappy, answered) };
      };
      const { choices: counts, answered: answeredRows, numbers } = aggregates;
      const answered = new Map<string, number>();
      for (const r of answeredRows) answered.set(r.questionId, (answered.get(r.questionId) ?? 0) + r.n);
      const answeredBy = (questionId: string, e: string) =>
        answeredRows.find((r) => r.questionId === questionId && r.experience === e)?.n ?? 0;
      const attended = form.eventId ? await results.attendedCount(db, form.eventId, form.sessionId) : null;
      const denominator = attended ?? invited;
      return {
        formId,
        title: form.title,
        anonymous: form.anonymous,
        responses,
        invited,
        attended,
        responseRate: denominator ? share(responses, denominator) : null,
        questions: questions
          .filter((q) => !q.hidden || (answered.get(q.id) ?? 0) > 0)
          .map((q) => {
            const mine = counts.filter((c) => c.questionId === q.id);
            const options = optionsOf(q);
            const tally = (rows: typeof mine) =>
              Object.fromEntries(options.map((o) => [o, rows.filter((r) => r.choice === o).reduce((n, r) => n + r.n, 0)]));
            const result: QuestionResult = {
              key: q.key,
              id: q.id,
              type: q.type,
              text: q.text,
              hidden: q.hidden,
              answered: answered.get(q.id) ?? 0,
              counts: options.length ? tally(mine) : {},
            };
            if (q.type === 'rating' || q.type === 'agreement') {
              const top = SCALES[q.type].slice(0, 2);
              result.topTwoShare = share(
                top.reduce((n, o) => n + (result.counts[o] ?? 0), 0),
                result.answered,
              );
            }
            if (options.length) {
              result.byExperience = Object.fromEntries(
                EXPERIENCES.map((e) => {
                  const c = tally(mine.filter((x) => x.experience === e));
                  const n = answeredBy(q.id, e);
                  const entry: { answered: number; counts: Record<string, number>; topTwoShare?: number } = { answered: n, counts: c };
                  if (q.type === 'rating' || q.type === 'agreement')
                    entry.topTwoShare = share(
                      SCALES[q.type].slice(0, 2).reduce((a, o) => a + (c[o] ?? 0), 0),
                      n,
                    );
                  return [e, entry];
                }),
              ) as QuestionResult['byExperience'];
            }
            const num = numbers.find((x) => x.questionId === q.id);
            if (num) result.number = { mean: Math.round(num.mean * 100) / 100, min: num.min, max: num.max };
            if (q.type === 'text' || q.type === 'long_text') {
              result.themes = themes
                .filter((t) => t.questionId === q.id)
                .map((t) => {
                  const ratings = ratingsOf(t.id);
                  return {
                    id: t.id,
                    label: t.label,
                    count: t.count,
                    terms: t.terms,
                    examples: t.examples.map((e) => e.text),
                    ...(ratings ? { ratings } : {}),
                  };
                });
            }
            return result;
          }),
      };
    },

    quotes: (formId: string) => results.quotes(db, formId),

    /**
     * Finds themes for one text question now (the job calls this); staff edits are kept unless
     * `force`. The answers are read, analysed in a worker thread with no transaction open, and
     * stored in one transaction that checks again that staff have not edited them meanwhile.
     */
    async runThemes(questionId: string, opts: { force?: boolean } = {}): Promise<number> {
      if (!opts.force && (await results.hasEditedThemes(db, questionId))) {
        await results.recordThemeRun(db, questionId, await results.textAnswerCount(db, questionId));
        return 0;
      }
      const answers = await results.textAnswers(db, questionId);
      const started = Date.now();
      const themes = await analyse(answers.map((a) => a.text));
      const stored = await db.transaction(async (tx) => {
        await results.lockThemeRun(tx, questionId);
        if (!opts.force && (await results.hasEditedThemes(tx, questionId))) return false;
        await results.storeThemes(
          tx,
          questionId,
          themes.map((t) => ({
            label: t.label,
            terms: t.terms,
            members: t.members.map((m) => ({ answerId: answers[m.index]!.id, score: m.score })),
          })),
        );
        await results.recordThemeRun(tx, questionId, answers.length);
        return true;
      });
      deps.log.info({ questionId, answers: answers.length, themes: themes.length, ms: Date.now() - started, stored }, 'themes found');
      return stored ? themes.length : 0;
    },

    /** Whether themes are being found for a form now, for the results page to say so. */
    themeProgress: (formId: string) => results.themeProgress(db, formId, THEMES_STALE_MINUTES),

    /** Queues theme-finding for every text question of a form (on closing it, or when asked). */
    async queueThemes(formId: string, opts: { force?: boolean } = {}) {
      const questions = (await deps.forms.questions(db, formId)).filter((q) => q.type === 'text' || q.type === 'long_text');
      for (const q of questions) {
        await results.markThemeRunQueued(db, q.id);
        await deps.jobs.enqueue(THEMES_QUEUE, { questionId: q.id, force: !!opts.force }, { singletonKey: `themes:${q.id}` });
      }
      return questions.length;
    },

    /** After a form closes: themes for every text question. The form is closed whatever happens here. */
    async formClosed(formId: string) {
      try {
        await this.queueThemes(formId);
      } catch (err) {
        deps.log.warn({ err, formId }, 'could not queue theme-finding for a closed form; staff can ask for it on the results page');
      }
    },

    /**
     * After an answer arrives on an open form: queues theme-finding for the text questions that
     * have grown enough since it last ran. A failure here must not fail the answer, which is saved.
     */
    async refreshThemesIfDue(formId: string) {
      try {
        const due = await results.claimDueThemeRuns(db, formId, {
          minimum: THEMES_MINIMUM_ANSWERS,
          growth: THEMES_GROWTH,
          minutes: deps.themesRefreshMinutes,
        });
        for (const { questionId } of due)
          await deps.jobs.enqueue(THEMES_QUEUE, { questionId, force: false }, { singletonKey: `themes:${questionId}` });
      } catch (err) {
        deps.log.warn({ err, formId }, 'could not queue theme-finding; the next answer or closing the form will');
      }
    },

    async renameTheme(formId: string, themeId: string, label: string) {
      const t = await themeOf(formId, themeId);
      const clean = label.trim();
      if (!clean || clean.length > 100) throw new ValidationError([{ path: 'label', message: 'A theme name is 1 to 100 characters' }]);
      await results.renameTheme(db, t.id, clean);
    },

    async mergeThemes(formId: string, intoId: string, fromId: string) {
      const into = await themeOf(formId, intoId);
      const from = await themeOf(formId, fromId);
      if (into.id === from.id || into.questionId !== from.questionId)
        throw new ConflictError('Choose two different themes of the same question');
      await db.transaction((tx) => results.mergeThemes(tx, into.id, from.id));
    },

    /** Moves the chosen answers of a theme into a new theme of their own. */
    async splitTheme(formId: string, themeId: string, label: string, answerIds: number[]) {
      const t = await themeOf(formId, themeId);
      // node-postgres returns bigint ids as strings.
      const inTheme = new Set((await results.themeAnswers(db, t.id)).map((a) => Number(a.id)));
      const chosen = answerIds.filter((id) => Number.isInteger(id) && inTheme.has(id));
      if (!chosen.length) throw new ValidationError([{ path: 'answerIds', message: 'Choose the answers to move into the new theme' }]);
      if (chosen.length === inTheme.size)
        throw new ValidationError([{ path: 'answerIds', message: 'Leave at least one answer in this theme' }]);
      const clean = label.trim();
      if (!clean || clean.length > 100)
        throw new ValidationError([{ path: 'label', message: 'Give the new theme a name of 1 to 100 characters' }]);
      return db.transaction((tx) => results.moveAnswersToNewTheme(tx, t.id, t.questionId, clean, chosen));
    },

    themeAnswers: (themeId: string) => results.themeAnswers(db, themeId),
    textAnswersForStaff: (questionId: string, limit = 200) => results.textAnswersForStaff(db, questionId, limit),
    themeOf: (formId: string, themeId: string) => themeOf(formId, themeId),
  };

  async function themeOf(formId: string, themeId: string) {
    const t = /^[0-9a-f-]{36}$/i.test(themeId) ? await results.themeWithQuestion(db, themeId) : undefined;
    if (!t || t.formId !== formId) throw new NotFoundError('No theme with that id on this form');
    return t;
  }
}

export type ResultsService = ReturnType<typeof createResultsService>;
