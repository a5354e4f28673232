import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Responses are what people told us in their own words. Erasure unlinks every response the
 * person gave (named, or anonymous through its respondent key) and deletes their written
 * answers; their choices stay, unlinked, so the results still add up.
 */
export function formsPersonalData(deps: { respondentKey: (formId: string, personId: string) => string }): PersonalDataHolder {
  async function responseIds(ex: Parameters<PersonalDataHolder['export']>[0], personId: string): Promise<string[]> {
    const forms = await rowsOf<{ id: string }>(ex, sql`select id from forms`);
    const keys = forms.map((f) => deps.respondentKey(f.id, personId));
    const byKey = keys.length
      ? sql` or respondent_key in (${sql.join(
          keys.map((k) => sql`${k}`),
          sql`, `,
        )})`
      : sql``;
    const rows = await rowsOf<{ id: string }>(ex, sql`select id from form_responses where person_id = ${personId}${byKey}`);
    return rows.map((r) => r.id);
  }

  return {
    module: 'forms',
    tables: {
      forms: 'nothing about a person: the form, written by staff',
      form_questions: 'nothing about a person: the questions',
      form_invitations: 'who was invited to answer (people who came to an event)',
      form_responses: 'who answered (named forms), a keyed hash of who answered (every form), their experience, quote consent',
      form_answers: 'the answers, including what people wrote in their own words',
      form_themes: 'nothing about a person: theme labels found in the answers',
      form_answer_themes: 'nothing about a person: which answer is in which theme',
      form_theme_runs: 'nothing about a person: when themes were last found for a question, from how many answers',
      page_feedback: 'nothing linked to a person: anonymous "is this page useful?" answers',
    },
    personColumns: {
      'forms.created_by': 'kept: the member of staff who created the form; it names a row, not a value',
      'form_invitations.person_id': 'kept: who was invited counts towards the response rate; the person row is erased',
      'form_responses.person_id': 'cleared, with the respondent key; written answers deleted, choices kept unlinked',
    },
    async export(ex, personId) {
      const answers = await rowsOf<{
        response_id: string;
        form: string;
        submitted_at: Date;
        question: string;
        choice: string | null;
        choices: string[] | null;
        number: number | null;
        text: string | null;
      }>(
        ex,
        sql`select r.id as response_id, f.title as form, r.submitted_at, q.text as question, a.choice, a.choices, a.number, a.text
            from form_responses r join forms f on f.id = r.form_id
            join form_answers a on a.response_id = r.id join form_questions q on q.id = a.question_id
            where r.person_id = ${personId} order by r.submitted_at, q.position`,
      );
      const invitations = await rowsOf<{ form: string; invited_at: Date }>(
        ex,
        sql`select f.title as form, i.invited_at from form_invitations i join forms f on f.id = i.form_id where i.person_id = ${personId} order by i.invited_at`,
      );
      const responses = new Map<string, { form: string; submittedAt: string | null; answers: { question: string; answer: unknown }[] }>();
      for (const a of answers) {
        const r = responses.get(a.response_id) ?? { form: a.form, submittedAt: iso(a.submitted_at), answers: [] };
        r.answers.push({ question: a.question, answer: a.text ?? a.choice ?? a.choices ?? a.number });
        responses.set(a.response_id, r);
      }
      return {
        responses: [...responses.values()],
        invitations: invitations.map((i) => ({ form: i.form, invitedAt: iso(i.invited_at) })),
        anonymousAnswers: 'Answers you gave on anonymous forms are not stored with your name, so they are not in this download.',
      };
    },
    async forget(tx, person) {
      const ids = await responseIds(tx, person.id);
      if (!ids.length) return;
      const list = sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      await tx.execute(sql`update form_answers set text = null, starred = false where response_id in (${list}) and text is not null`);
      await tx.execute(
        sql`delete from form_answers where response_id in (${list}) and choice is null and choices is null and number is null and text is null`,
      );
      await tx.execute(
        sql`update form_responses set person_id = null, respondent_key = null, quote_consent = 'no', updated_at = now() where id in (${list})`,
      );
    },
  };
}
