import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';

export interface ChoiceCount {
  questionId: string;
  choice: string;
  experience: string | null;
  n: number;
}

/** Aggregates over answers in SQL, so a form with a million answers is counted where it lives. */
export function createResultsRepository() {
  const rows = async <T>(ex: Executor, q: ReturnType<typeof sql>) => (await ex.execute(q)).rows as T[];
  return {
    async responseCount(ex: Executor, formId: string): Promise<number> {
      return (await rows<{ n: number }>(ex, sql`select count(*)::int as n from form_responses where form_id = ${formId}`))[0]!.n;
    },
    /** People who came: to the form's session if it has one, else to any session of its event. */
    async attendedCount(ex: Executor, eventId: string, sessionId: string | null): Promise<number> {
      return (
        await rows<{ n: number }>(
          ex,
          sql`select count(distinct r.person_id)::int as n from registrations r join event_sessions s on s.id = r.session_id
              where s.event_id = ${eventId} and r.status = 'attended' ${sessionId ? sql`and s.id = ${sessionId}` : sql``}`,
        )
      )[0]!.n;
    },
    /**
     * One pass over a form's answers (found by question, with the answerer's experience stored on
     * each answer, so no join): counts per option and experience, how many answered, and number
     * summaries, via grouping sets. Lists of choices are unnested for their own questions only.
     */
    async aggregates(ex: Executor, questions: { id: string; type: string }[]) {
      const list = (ids: string[]) => sql.raw(`ARRAY[${ids.map((id) => `'${id}'`).join(',')}]::uuid[]`);
      const single = questions.filter((q) => ['rating', 'agreement', 'yes_no', 'single_choice'].includes(q.type)).map((q) => q.id);
      const multiple = questions.filter((q) => q.type === 'multiple_choice').map((q) => q.id);
      const other = questions.filter((q) => !single.includes(q.id)).map((q) => q.id);
      const [choices, multipleChoices, others] = await Promise.all([
        single.length
          ? rows<ChoiceCount>(
              ex,
              sql`select question_id as "questionId", choice, experience, count(*)::int as n from form_answers where question_id = any(${list(single)}) group by 1, 2, 3`,
            )
          : Promise.resolve([] as ChoiceCount[]),
        multiple.length
          ? rows<ChoiceCount>(
              ex,
              sql`select question_id as "questionId", c as choice, experience, count(*)::int as n from form_answers, unnest(choices) as c where question_id = any(${list(multiple)}) group by 1, 2, 3`,
            )
          : Promise.resolve([] as ChoiceCount[]),
        other.length
          ? rows<{ questionId: string; experience: string | null; n: number; mean: number | null; min: number | null; max: number | null }>(
              ex,
              sql`select question_id as "questionId", experience, count(*)::int as n, avg(number)::float8 as mean, min(number) as min, max(number) as max from form_answers where question_id = any(${list(other)}) group by 1, 2`,
            )
          : Promise.resolve([]),
      ]);
      // Answered: for one-answer questions, the sum of their option counts; for the rest, counted rows.
      const answered = new Map<string, { questionId: string; experience: string | null; n: number }>();
      for (const c of choices) {
        const key = `${c.questionId}|${c.experience}`;
        const cur = answered.get(key) ?? { questionId: c.questionId, experience: c.experience, n: 0 };
        cur.n += c.n;
        answered.set(key, cur);
      }
      for (const o of others)
        answered.set(`${o.questionId}|${o.experience}`, { questionId: o.questionId, experience: o.experience, n: o.n });
      const numbers = new Map<string, { questionId: string; n: number; sum: number; min: number; max: number }>();
      for (const o of others) {
        if (o.mean === null) continue;
        const cur = numbers.get(o.questionId) ?? { questionId: o.questionId, n: 0, sum: 0, min: Infinity, max: -Infinity };
        cur.n += o.n;
        cur.sum += o.mean * o.n;
        cur.min = Math.min(cur.min, o.min!);
        cur.max = Math.max(cur.max, o.max!);
        numbers.set(o.questionId, cur);
      }
      return {
        choices: [...choices, ...multipleChoices],
        answered: [...answered.values()],
        numbers: [...numbers.values()].map((x) => ({ questionId: x.questionId, n: x.n, mean: x.sum / x.n, min: x.min, max: x.max })),
      };
    },
    /** Themes of a form's text questions with how many answers each holds and its most typical answers. */
    async themes(ex: Executor, formId: string, examples = 3) {
      return rows<{
        id: string;
        questionId: string;
        label: string;
        position: number;
        terms: string[];
        count: number;
        examples: { id: number; text: string }[];
      }>(
        ex,
        sql`select t.id, t.question_id as "questionId", t.label, t.position, t.terms,
                   (select count(*)::int from form_answer_themes x where x.theme_id = t.id) as count,
                   coalesce((select json_agg(json_build_object('id', e.id, 'text', e.text)) from (
                     select a.id, a.text from form_answer_themes x join form_answers a on a.id = x.answer_id
                     where x.theme_id = t.id order by x.score desc, a.id limit ${examples}) e), '[]') as examples
            from form_themes t join form_questions q on q.id = t.question_id
            where q.form_id = ${formId}
            order by t.question_id, t.position`,
      );
    },
    /** Starred answers whose authors agreed to be quoted, with the name only when they said so. */
    async quotes(ex: Executor, formId: string) {
      return rows<{
        id: number;
        questionId: string;
        text: string;
        consent: 'named' | 'anonymous';
        name: string | null;
        experience: string | null;
      }>(
        ex,
        sql`select a.id, a.question_id as "questionId", a.text, r.quote_consent as consent,
                   case when r.quote_consent = 'named' then p.name end as name, r.experience
            from form_answers a join form_responses r on r.id = a.response_id left join people p on p.id = r.person_id
            where r.form_id = ${formId} and a.starred and a.text is not null and r.quote_consent in ('named', 'anonymous')
            order by a.id`,
      );
    },
    /** Text answers of one question, for finding themes. */
    async textAnswers(ex: Executor, questionId: string) {
      return rows<{ id: number; text: string }>(
        ex,
        sql`select id, text from form_answers where question_id = ${questionId} and text is not null order by id`,
      );
    },
    async textAnswerCount(ex: Executor, questionId: string): Promise<number> {
      return (
        await rows<{ n: number }>(
          ex,
          sql`select count(*)::int as n from form_answers where question_id = ${questionId} and text is not null`,
        )
      )[0]!.n;
    },
    /** Text answers with their starred state and consent, for staff to choose quotes. */
    async textAnswersForStaff(ex: Executor, questionId: string, limit: number) {
      return rows<{ id: number; text: string; starred: boolean; consent: string; themes: string[] }>(
        ex,
        // The page of answers is chosen first, then joined, so a question with 100,000 answers costs 200.
        sql`select a.id, a.text, a.starred, r.quote_consent as consent,
                   coalesce((select array_agg(t.label order by t.position) from form_answer_themes x join form_themes t on t.id = x.theme_id where x.answer_id = a.id), '{}') as themes
            from (select id, text, starred, response_id from form_answers where question_id = ${questionId} and text is not null order by starred desc, id limit ${limit}) a
            join form_responses r on r.id = a.response_id
            order by a.starred desc, a.id`,
      );
    },
    /**
     * Replaces a question's themes in the caller's transaction. Answers erased or replaced while
     * the themes were being found are left out rather than failing the run.
     */
    async storeThemes(
      ex: Executor,
      questionId: string,
      themes: { label: string; terms: string[]; members: { answerId: number; score: number }[] }[],
    ) {
      await ex.execute(sql`delete from form_themes where question_id = ${questionId}`);
      for (const [i, t] of themes.entries()) {
        const [row] = await rows<{ id: string }>(
          ex,
          sql`insert into form_themes (question_id, label, position, terms)
              values (${questionId}, ${t.label}, ${i + 1}, ${sql.param(t.terms)}::text[]) returning id`,
        );
        for (let j = 0; j < t.members.length; j += 5000) {
          const chunk = t.members.slice(j, j + 5000);
          await ex.execute(
            sql`insert into form_answer_themes (answer_id, theme_id, score)
                select m.answer_id, ${row!.id}::uuid, m.score
                from unnest(${sql.param(chunk.map((m) => m.answerId))}::bigint[], ${sql.param(chunk.map((m) => m.score))}::float8[]) as m(answer_id, score)
                where exists (select 1 from form_answers a where a.id = m.answer_id and a.question_id = ${questionId})`,
          );
        }
      }
    },
    /** Records a finished run: how many answers it read. */
    async recordThemeRun(ex: Executor, questionId: string, answers: number) {
      await ex.execute(
        sql`insert into form_theme_runs (question_id, answers, found_at) values (${questionId}, ${answers}, now())
            on conflict (question_id) do update set answers = excluded.answers, found_at = excluded.found_at, queued_at = null`,
      );
    },
    /** Serialises runs for one question: the second waits for the first to store its themes. */
    async lockThemeRun(ex: Executor, questionId: string) {
      await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`themes:${questionId}`}, 0))`);
    },
    /**
     * Text questions of a form whose themes are due while it is open: at least `minimum` answers,
     * a fifth more than the last run read, and nothing queued in the last `minutes`. Marks them
     * queued in the same statement, so answers arriving together queue one run.
     */
    async claimDueThemeRuns(ex: Executor, formId: string, opts: { minimum: number; growth: number; minutes: number }) {
      return rows<{ questionId: string }>(
        ex,
        sql`with counts as (
              select q.id, (select count(*)::int from form_answers a where a.question_id = q.id and a.text is not null) as n
              from form_questions q where q.form_id = ${formId} and q.type in ('text', 'long_text')
            ), due as (
              select c.id from counts c left join form_theme_runs r on r.question_id = c.id
              where c.n >= ${opts.minimum}::int
                and (r.answers is null or c.n >= ceil(r.answers * ${1 + opts.growth}::float8))
                and (r.queued_at is null or r.queued_at < now() - make_interval(secs => ${opts.minutes * 60}::float8))
                and (r.found_at is null or r.found_at < now() - make_interval(secs => ${opts.minutes * 60}::float8))
            )
            insert into form_theme_runs as r (question_id, queued_at) select id, now() from due
            on conflict (question_id) do update set queued_at = now()
            returning r.question_id as "questionId"`,
      );
    },
    /**
     * Whether theme-finding is under way for a form: text questions queued within the last
     * `minutes` and not yet found since. An older mark is a run that failed or was lost.
     */
    async themeProgress(ex: Executor, formId: string, minutes: number) {
      const [row] = await rows<{ pending: number; stale: number }>(
        ex,
        sql`select count(*) filter (where r.queued_at >= now() - make_interval(secs => ${minutes * 60}::float8))::int as pending,
                   count(*) filter (where r.queued_at < now() - make_interval(secs => ${minutes * 60}::float8))::int as stale
            from form_theme_runs r join form_questions q on q.id = r.question_id
            where q.form_id = ${formId} and q.type in ('text', 'long_text') and r.queued_at is not null`,
      );
      return { pending: row?.pending ?? 0, stale: row?.stale ?? 0 };
    },
    async markThemeRunQueued(ex: Executor, questionId: string) {
      await ex.execute(
        sql`insert into form_theme_runs (question_id, queued_at) values (${questionId}, now())
            on conflict (question_id) do update set queued_at = now()`,
      );
    },
    /** Per theme of a form, how the people whose answers it holds answered a rating question. */
    async ratingMix(ex: Executor, formId: string, ratingQuestionId: string) {
      return rows<{ themeId: string; choice: string; n: number }>(
        ex,
        sql`select x.theme_id as "themeId", r.choice, count(*)::int as n
            from form_themes t
            join form_questions q on q.id = t.question_id and q.form_id = ${formId}
            join form_answer_themes x on x.theme_id = t.id
            join form_answers a on a.id = x.answer_id
            join form_answers r on r.response_id = a.response_id and r.question_id = ${ratingQuestionId}
            where r.choice is not null
            group by 1, 2`,
      );
    },
    async hasEditedThemes(ex: Executor, questionId: string): Promise<boolean> {
      return (
        (await rows<{ n: number }>(ex, sql`select count(*)::int as n from form_themes where question_id = ${questionId} and edited`))[0]!
          .n > 0
      );
    },
    async renameTheme(ex: Executor, themeId: string, label: string) {
      await ex.execute(sql`update form_themes set label = ${label}, edited = true where id = ${themeId}`);
    },
    async mergeThemes(ex: Executor, intoId: string, fromId: string) {
      await ex.execute(
        sql`insert into form_answer_themes (answer_id, theme_id, score) select answer_id, ${intoId}, score from form_answer_themes where theme_id = ${fromId} on conflict do nothing`,
      );
      await ex.execute(sql`delete from form_themes where id = ${fromId}`);
      await ex.execute(sql`update form_themes set edited = true where id = ${intoId}`);
    },
    async themeWithQuestion(ex: Executor, themeId: string) {
      return (
        await rows<{ id: string; questionId: string; formId: string; label: string }>(
          ex,
          sql`select t.id, t.question_id as "questionId", q.form_id as "formId", t.label from form_themes t join form_questions q on q.id = t.question_id where t.id = ${themeId}`,
        )
      )[0];
    },
    async themeAnswers(ex: Executor, themeId: string) {
      return rows<{ id: number; text: string; score: number }>(
        ex,
        sql`select a.id, a.text, x.score from form_answer_themes x join form_answers a on a.id = x.answer_id where x.theme_id = ${themeId} order by x.score desc, a.id`,
      );
    },
    async moveAnswersToNewTheme(ex: Executor, fromId: string, questionId: string, label: string, answerIds: number[]) {
      const [row] = (
        await ex.execute(
          sql`insert into form_themes (question_id, label, position, edited) values (${questionId}, ${label}, (select coalesce(max(position), 0) + 1 from form_themes where question_id = ${questionId}), true) returning id`,
        )
      ).rows as { id: string }[];
      await ex.execute(
        sql`update form_answer_themes set theme_id = ${row!.id} where theme_id = ${fromId} and answer_id = any(${sql.raw(`ARRAY[${answerIds.map(Number).join(',')}]::bigint[]`)})`,
      );
      await ex.execute(sql`update form_themes set edited = true where id = ${fromId}`);
      return row!.id;
    },
  };
}

export type ResultsRepository = ReturnType<typeof createResultsRepository>;
