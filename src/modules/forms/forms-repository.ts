import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { rawQuery, type Executor } from '../../db/client.ts';
import {
  formAnswers,
  formAnswerThemes,
  formInvitations,
  formQuestions,
  formResponses,
  formThemes,
  forms,
  people,
  type Experience,
  type Form,
  type FormQuestion,
  type FormResponse,
} from '../../db/schema.ts';
import type { AnswerRow } from './answers.ts';
import type { QuestionInput } from './forms-schemas.ts';
import { isUuid } from '../../db/ids.ts';

/**
 * New responses to one form and their answers (see `insertResponsesWithAnswers`). Prepared once
 * on each connection: the statement most often run, so PostgreSQL plans it once, not per call.
 * Each response's id is made first, so its answers and its place in the list follow it.
 */
const INSERT_RESPONSES = {
  name: 'forms.insert_responses_with_answers',
  text: `with f as (
      select id, anonymous from forms where id = $1 and status = 'open' and definition_version = $2 for share
    ), given as materialized (
      select gen_random_uuid() as id, g.n, g.response
      from jsonb_array_elements($3::jsonb) with ordinality as g(response, n)
    ), r as (
      insert into form_responses (id, form_id, person_id, respondent_key, experience, quote_consent)
      select given.id, f.id, case when f.anonymous then null else (response->>'personId')::uuid end,
             response->>'respondentKey', response->>'experience', response->>'quoteConsent'
      from f, given
      returning *
    ), a as (
      insert into form_answers (response_id, question_id, choice, choices, number, text, experience)
      select r.id, x."questionId", x.choice, x.choices, x.number, x.text, r.experience
      from r join given on given.id = r.id,
           jsonb_to_recordset(given.response->'answers') as x("questionId" uuid, choice text, choices text[], number float8, text text)
    )
    select given.n, r.id, r.form_id as "formId", r.person_id as "personId", r.respondent_key as "respondentKey", r.experience,
           r.quote_consent as "quoteConsent", r.submitted_at as "submittedAt", r.updated_at as "updatedAt"
    from r join given on given.id = r.id
    order by given.n`,
};

/** A response to go in with others (`insertResponsesWithAnswers`). */
export interface NewResponse {
  personId: string | null;
  respondentKey: string | null;
  experience: Experience | null;
  quoteConsent: FormResponse['quoteConsent'];
  answers: AnswerRow[];
}

export function createFormsRepository() {
  return {
    async insertForm(ex: Executor, row: typeof forms.$inferInsert): Promise<Form> {
      const [f] = await ex.insert(forms).values(row).returning();
      return f!;
    },
    async updateForm(ex: Executor, id: string, set: Partial<typeof forms.$inferInsert>) {
      await ex
        .update(forms)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(forms.id, id));
    },
    /**
     * `forUpdate` for changes to the form itself; `forShare` for responses, which may come in
     * together but must not slip past the form being closed.
     */
    async findForm(ex: Executor, id: string, opts: { forUpdate?: boolean; forShare?: boolean } = {}): Promise<Form | undefined> {
      if (!isUuid(id)) return undefined;
      const q = ex.select().from(forms).where(eq(forms.id, id));
      const [row] = opts.forUpdate ? await q.for('update') : opts.forShare ? await q.for('share') : await q;
      return row;
    },
    listForms: (ex: Executor) => ex.select().from(forms).orderBy(desc(forms.createdAt)),
    formsOfEvent: (ex: Executor, eventId: string) =>
      ex.select().from(forms).where(eq(forms.eventId, eventId)).orderBy(asc(forms.createdAt)),

    questions: (ex: Executor, formId: string): Promise<FormQuestion[]> =>
      ex.select().from(formQuestions).where(eq(formQuestions.formId, formId)).orderBy(asc(formQuestions.position)),
    async insertQuestion(ex: Executor, formId: string, q: QuestionInput & { key: string }, position: number) {
      const [row] = await ex
        .insert(formQuestions)
        .values({
          formId,
          key: q.key,
          type: q.type,
          text: q.text,
          easyReadText: q.easyReadText ?? null,
          options: q.options ?? [],
          required: q.required ?? false,
          position,
        })
        .returning();
      return row!;
    },
    async updateQuestion(ex: Executor, id: string, set: Partial<typeof formQuestions.$inferInsert>) {
      await ex.update(formQuestions).set(set).where(eq(formQuestions.id, id));
    },
    async deleteQuestion(ex: Executor, id: string) {
      await ex.delete(formQuestions).where(eq(formQuestions.id, id));
    },
    async answerCount(ex: Executor, questionId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(formAnswers)
        .where(eq(formAnswers.questionId, questionId));
      return row?.n ?? 0;
    },

    /** The options people chose on a choice question, each once. */
    async chosenOptions(ex: Executor, questionId: string): Promise<string[]> {
      const rows = await ex.execute<{ option: string }>(sql`
        select distinct option from (
          select ${formAnswers.choice} as option from ${formAnswers} where ${formAnswers.questionId} = ${questionId} and ${formAnswers.choice} is not null
          union all
          select unnest(${formAnswers.choices}) as option from ${formAnswers} where ${formAnswers.questionId} = ${questionId}
        ) chosen`);
      return rows.rows.map((r) => r.option);
    },

    async findResponseByKey(ex: Executor, formId: string, respondentKey: string) {
      const [row] = await ex
        .select()
        .from(formResponses)
        .where(and(eq(formResponses.formId, formId), eq(formResponses.respondentKey, respondentKey)));
      return row;
    },
    async insertResponse(ex: Executor, row: typeof formResponses.$inferInsert) {
      const [r] = await ex.insert(formResponses).values(row).returning();
      return r!;
    },
    async updateResponse(ex: Executor, id: string, set: Partial<typeof formResponses.$inferInsert>) {
      await ex
        .update(formResponses)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(formResponses.id, id));
    },
    /**
     * New responses and their answers in one statement, taken only while the form is open and
     * still at `definitionVersion`, the definition their answers were checked against. The form's
     * row is share-locked as in `findForm(…, { forShare })`: closing it waits for this, or this
     * sees it closed. An anonymous form stores no person, whatever it is given. The responses
     * made, in the order given; none when the form is not open or has changed, and nothing is
     * written. A second response for a respondent key fails on the unique index, and nothing is
     * written either.
     */
    async insertResponsesWithAnswers(
      ex: Executor,
      form: { formId: string; definitionVersion: number },
      responses: NewResponse[],
    ): Promise<FormResponse[]> {
      const result = await rawQuery<FormResponse & { n: string }>(ex, INSERT_RESPONSES, [
        form.formId,
        form.definitionVersion,
        JSON.stringify(responses),
      ]);
      return result.rows.map(({ n: _n, ...response }) => response);
    },
    async replaceAnswers(ex: Executor, responseId: string, rows: AnswerRow[], experience: string | null) {
      await ex.delete(formAnswers).where(eq(formAnswers.responseId, responseId));
      if (rows.length) await ex.insert(formAnswers).values(rows.map((r) => ({ ...r, responseId, experience })));
    },
    answersOf: (ex: Executor, responseId: string) => ex.select().from(formAnswers).where(eq(formAnswers.responseId, responseId)),

    /** Responses with their answers, in the order they came, a page at a time. */
    async responsesPage(ex: Executor, formId: string, opts: { after?: { at: Date; id: string }; limit: number }) {
      const responses = await ex
        .select()
        .from(formResponses)
        .where(
          and(
            eq(formResponses.formId, formId),
            opts.after ? sql`(${formResponses.submittedAt}, ${formResponses.id}) > (${opts.after.at}, ${opts.after.id})` : undefined,
          ),
        )
        .orderBy(asc(formResponses.submittedAt), asc(formResponses.id))
        .limit(opts.limit);
      const answers = responses.length
        ? await ex
            .select()
            .from(formAnswers)
            .where(
              inArray(
                formAnswers.responseId,
                responses.map((r) => r.id),
              ),
            )
        : [];
      return { responses, answers };
    },

    async invite(ex: Executor, formId: string, personIds: string[]): Promise<string[]> {
      if (!personIds.length) return [];
      const rows = await ex
        .insert(formInvitations)
        .values(personIds.map((personId) => ({ formId, personId })))
        .onConflictDoNothing()
        .returning({ personId: formInvitations.personId });
      return rows.map((r) => r.personId);
    },
    async invitedCount(ex: Executor, formId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(formInvitations)
        .where(eq(formInvitations.formId, formId));
      return row?.n ?? 0;
    },
    async isInvited(ex: Executor, formId: string, personId: string): Promise<boolean> {
      const rows = await ex
        .select({ id: formInvitations.id })
        .from(formInvitations)
        .where(and(eq(formInvitations.formId, formId), eq(formInvitations.personId, personId)));
      return rows.length > 0;
    },
    /** Invited people who have not answered yet, with an email to remind. */
    async notYetAnswered(ex: Executor, formId: string, respondentKeyOf: (personId: string) => string) {
      const invited = await ex
        .select({ id: people.id, name: people.name, email: people.email })
        .from(formInvitations)
        .innerJoin(people, eq(people.id, formInvitations.personId))
        .where(and(eq(formInvitations.formId, formId), sql`${people.erasedAt} is null`));
      const keys = new Set(
        (await ex.select({ key: formResponses.respondentKey }).from(formResponses).where(eq(formResponses.formId, formId))).map(
          (r) => r.key,
        ),
      );
      return invited.filter((p) => !keys.has(respondentKeyOf(p.id)));
    },
    async markReminded(ex: Executor, formId: string, personIds: string[]) {
      if (personIds.length)
        await ex
          .update(formInvitations)
          .set({ remindedAt: new Date() })
          .where(and(eq(formInvitations.formId, formId), inArray(formInvitations.personId, personIds)));
    },
    async themesOfAnswers(ex: Executor, answerIds: number[]) {
      if (!answerIds.length) return [];
      return ex
        .select({ answerId: formAnswerThemes.answerId, label: formThemes.label })
        .from(formAnswerThemes)
        .innerJoin(formThemes, eq(formThemes.id, formAnswerThemes.themeId))
        .where(inArray(formAnswerThemes.answerId, answerIds));
    },
    async setStar(ex: Executor, answerId: number, starred: boolean) {
      await ex.update(formAnswers).set({ starred }).where(eq(formAnswers.id, answerId));
    },
    async answerWithForm(ex: Executor, answerId: number) {
      const [row] = await ex
        .select({ answer: formAnswers, formId: formQuestions.formId, quoteConsent: formResponses.quoteConsent })
        .from(formAnswers)
        .innerJoin(formQuestions, eq(formQuestions.id, formAnswers.questionId))
        .innerJoin(formResponses, eq(formResponses.id, formAnswers.responseId))
        .where(eq(formAnswers.id, answerId));
      return row;
    },
    /** The theme labels found in a form's text answers, each once, in the order the results show them. */
    async themeLabelsOf(ex: Executor, formId: string): Promise<string[]> {
      if (!isUuid(formId)) return [];
      const rows = await ex
        .select({ label: formThemes.label })
        .from(formThemes)
        .innerJoin(formQuestions, eq(formQuestions.id, formThemes.questionId))
        .where(eq(formQuestions.formId, formId))
        .orderBy(asc(formQuestions.position), asc(formThemes.position));
      return [...new Set(rows.map((r) => r.label))];
    },
    /** The people who answered a form under their own name; anonymous answers name no one. */
    async respondentIdsOf(ex: Executor, formId: string): Promise<string[]> {
      if (!isUuid(formId)) return [];
      const rows = await ex
        .selectDistinct({ personId: formResponses.personId })
        .from(formResponses)
        .where(and(eq(formResponses.formId, formId), sql`${formResponses.personId} is not null`));
      return rows.map((r) => r.personId!);
    },
  };
}

export type FormsRepository = ReturnType<typeof createFormsRepository>;
