import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { STORY_STATUSES, type Story } from '../../db/schema.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { fieldFailure, formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import {
  CONSENT_HOW,
  MAX_STORY,
  MODERATION_BODY_LIMIT,
  moderationFormSchema,
  staffStoryFormSchema,
  STORY_BODY_LIMIT,
  takeDownFormSchema,
  type Decision,
} from './stories-schemas.ts';
import { ResentFormError, type StoriesService } from './stories-service.ts';
import { bodyFlags, titleFlags, type FieldFlag } from './story-flags.ts';
import { consentRefusal, decisionsFor, DetailsRemainError, NoConsentError } from './story-moderation.ts';
import { ACTION_LABELS, consentView, dayText, flagSummary, rowView, segments, SOURCE_LABELS, STATUS_LABELS } from './stories-view.ts';
import { tooLongPage } from './stories-public-routes.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };
const queueQuery = z.object({ status: z.enum([...STORY_STATUSES, 'all']).catch('submitted') });
/** The decisions offered as choices on a waiting story; a published story has a form for each of its own. */
const DECISION_ITEMS: Partial<Record<Decision, string>> = {
  publish: 'Publish it',
  ask_for_changes: 'Ask the author for changes',
  reject: 'Reject it',
};

/** Staff: the moderation queue, a story with its personal details highlighted, decisions; and entering a story for someone. */
export function storiesManageRoutes(app: App, deps: { stories: StoriesService }) {
  const { stories } = deps;

  app.get('/manage/stories', { schema: { querystring: queueQuery }, config: STAFF }, async (request, reply) => {
    const status = request.query.status;
    const { stories: list, counts } = await stories.queue(status === 'all' ? undefined : status);
    const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    return reply.view('stories/views/manage-list.njk', {
      title: 'Moderate stories',
      tabs: [
        ...STORY_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], count: counts[s] ?? 0, current: s === status })),
        { value: 'all', text: 'All', count: total, current: status === 'all' },
      ],
      statusText: status === 'all' ? 'All stories' : STATUS_LABELS[status],
      stories: list.map(rowView),
    });
  });

  // ---- a story told by phone, letter or in person ------------------------------------------------
  const newForm = async (reply: FastifyReply, values: Record<string, unknown>, failure?: FormFailure, status = 200) =>
    reply.status(status).view('stories/views/manage-new.njk', {
      title: 'Enter a story for someone',
      values,
      max: MAX_STORY.toLocaleString('en-GB'),
      consentHowItems: Object.entries(CONSENT_HOW).map(([value, text]) => ({ value, text })),
      conversationItems: [
        { value: '', text: 'Not part of a conversation' },
        ...(await stories.conversations())
          .filter((c) => c.status !== 'draft')
          .map((c) => ({ value: c.id, text: c.title, selected: c.id === values.conversationId })),
      ],
      ...failureView(failure),
    });

  app.get('/manage/stories/new', { config: STAFF }, (_request, reply) => newForm(reply, { submissionKey: randomUUID() }));
  app.post('/manage/stories/new', { config: STAFF, bodyLimit: STORY_BODY_LIMIT, errorHandler: tooLongPage }, async (request, reply) => {
    const values = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(staffStoryFormSchema, request.body);
    if (!form.ok) return newForm(reply, values, form, 400);
    const { input, consentHow, consentNote } = form.data;
    try {
      const how = `Consent given to staff: ${CONSENT_HOW[consentHow].toLowerCase()}${consentNote ? `. ${consentNote}` : ''}`;
      const { story } = await stories.submit(actorOf(request), input, { source: 'staff', consentHow: how });
      return reply.redirect(`/manage/stories/${story.id}?created=1`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return newForm(reply, values, formFailure(err.errors), 400);
      if (err instanceof ResentFormError)
        return newForm(reply, { ...values, submissionKey: randomUUID() }, summaryFailure(err.message, '#title'), 409);
      throw err;
    }
  });

  // ---- one story ---------------------------------------------------------------------------------
  async function storyPage(
    reply: FastifyReply,
    id: string,
    extra: {
      values?: Record<string, unknown>;
      /** What was typed in the take-down form. */
      takeDownValues?: Record<string, unknown>;
      failure?: FormFailure;
      status?: number;
      remaining?: FieldFlag[];
      /** What the last action did; a function when it depends on the story (has the author an email?). */
      banner?: string | null | ((s: Story) => string | null);
    } = {},
  ) {
    const { story: s, history, conversation, titleAsSent } = await stories.forStaff(id);
    const values = extra.values ?? {
      title: s.title,
      body: s.publishedBody ?? s.body,
      easyReadSummary: s.easyReadSummary ?? '',
      themes: s.themes.join('\n'),
    };
    // A form from before the title box (or a hand-made post) has no title: it publishes the title as sent.
    const titleToCheck = values.title === undefined ? s.title : String(values.title);
    const remaining = extra.remaining ?? stories.remaining(s.flags, titleToCheck, String(values.body ?? ''));
    const decisions = decisionsFor(s.status);
    return reply.status(extra.status ?? 200).view('stories/views/manage-story.njk', {
      title: `Story: ${s.title}`,
      story: {
        ...rowView(s),
        authorEmail: s.authorEmail,
        authorOrganisation: s.authorOrganisation,
        source: SOURCE_LABELS[s.source],
        conversationTitle: conversation?.title ?? null,
        titleSegments: segments(titleAsSent, titleFlags(s.flags)),
        segments: segments(s.body, bodyFlags(s.flags)),
        publishedOn: dayText(s.publishedAt),
      },
      flagSummary: flagSummary(s.flags),
      consent: consentView(s),
      // Only while publishing is still a decision to make: on a withdrawn, rejected or published story it says nothing useful.
      cannotPublish: decisions.includes('publish') ? consentRefusal(s) : null,
      decisionItems: decisions
        .filter((d) => DECISION_ITEMS[d])
        .map((d) => ({ value: d, text: DECISION_ITEMS[d], checked: values.decision === d })),
      // A published story: corrected where it is, with the same boxes, or taken down with a note.
      correcting: decisions.includes('correct'),
      canTakeDown: decisions.includes('take_down'),
      values,
      takeDownValues: extra.takeDownValues ?? {},
      remaining: flagSummary(remaining),
      remainingTitle: flagSummary(titleFlags(remaining)),
      remainingBody: flagSummary(bodyFlags(remaining)),
      history: history.map((h) => ({ ...h, actionText: ACTION_LABELS[h.action] })),
      banner: typeof extra.banner === 'function' ? extra.banner(s) : (extra.banner ?? null),
      max: MAX_STORY.toLocaleString('en-GB'),
      ...failureView(extra.failure),
    });
  }

  app.get(
    '/manage/stories/:id',
    { schema: { params: idParams, querystring: flags('created', 'decided', 'corrected', 'takenDown', 'withdrawn') }, config: STAFF },
    (request, reply) => {
      const q = request.query;
      return storyPage(reply, request.params.id, {
        banner: q.created
          ? 'The story is saved. Check it below.'
          : q.decided
            ? (story) => decidedText(q.decided!, story)
            : q.corrected
              ? 'Your correction is saved. The website shows it now.'
              : q.takenDown
                ? 'The story is taken down. It is no longer on the website or in the API. Change it below, then publish it again when it is ready.'
                : q.withdrawn
                  ? 'The story is withdrawn. It is no longer public or in any new report.'
                  : null,
      });
    },
  );

  // The "take out all flagged details" button: the same form, shown again with the text redacted. No JavaScript needed.
  app.post(
    '/manage/stories/:id/redact',
    { schema: { params: idParams }, config: STAFF, bodyLimit: MODERATION_BODY_LIMIT, errorHandler: tooLongPage },
    async (request, reply) => {
      const values = { ...((request.body ?? {}) as Record<string, unknown>) };
      const title = typeof values.title === 'string' ? values.title : undefined;
      const redacted = await stories.redacted(request.params.id, title, String(values.body ?? ''));
      values.title = redacted.title;
      values.body = redacted.body;
      return storyPage(reply, request.params.id, { values, banner: 'The flagged details are taken out. Check the text, then decide.' });
    },
  );

  app.post(
    '/manage/stories/:id/decision',
    { schema: { params: idParams }, config: STAFF, bodyLimit: MODERATION_BODY_LIMIT, errorHandler: tooLongPage },
    async (request, reply) => {
      const id = request.params.id;
      const values = { ...((request.body ?? {}) as Record<string, unknown>) };
      const form = parseForm(moderationFormSchema, request.body);
      if (!form.ok) return storyPage(reply, id, { values, failure: form, status: 400 });
      try {
        await stories.decide(actorOf(request), id, form.data);
      } catch (err) {
        if (err instanceof DetailsRemainError)
          return storyPage(reply, id, {
            values,
            remaining: err.remaining,
            failure: summaryFailure(err.message, '#publishAnyway'),
            status: 409,
          });
        if (err instanceof NoConsentError)
          return storyPage(reply, id, { values, failure: summaryFailure(err.message, '#consent'), status: 409 });
        // The story moved on meanwhile (someone else decided, or its author withdrew it): its history says how.
        if (err instanceof ConflictError)
          return storyPage(reply, id, { values, failure: summaryFailure(err.message, '#history'), status: 409 });
        if (err instanceof ValidationError) return storyPage(reply, id, { values, failure: formFailure(err.errors), status: 400 });
        throw err;
      }
      return reply.redirect(
        `/manage/stories/${id}?${form.data.decision === 'correct' ? 'corrected=1' : `decided=${form.data.decision}`}`,
        303,
      );
    },
  );

  // A published story with something in it that must not be public: it leaves the library and the API at once.
  app.post('/manage/stories/:id/take-down', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const id = request.params.id;
    const takeDownValues = { ...((request.body ?? {}) as Record<string, unknown>) };
    const form = parseForm(takeDownFormSchema, request.body);
    if (!form.ok) return storyPage(reply, id, { takeDownValues, failure: form, status: 400 });
    try {
      await stories.decide(actorOf(request), id, { decision: 'take_down', note: form.data.takeDownNote });
    } catch (err) {
      // Taken down or withdrawn meanwhile: its history says how.
      if (err instanceof ConflictError)
        return storyPage(reply, id, { takeDownValues, failure: summaryFailure(err.message, '#history'), status: 409 });
      throw err;
    }
    return reply.redirect(`/manage/stories/${id}?takenDown=1`, 303);
  });

  // For someone without email who phones or writes to withdraw their story: staff do it for them.
  app.post('/manage/stories/:id/withdraw', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.confirm !== 'yes')
      return storyPage(reply, request.params.id, {
        failure: fieldFailure('confirm', 'Tick to confirm the author asked us to withdraw their story'),
        status: 400,
      });
    await stories.withdraw({ actor: actorOf(request) }, request.params.id);
    return reply.redirect(`/manage/stories/${request.params.id}?withdrawn=1`, 303);
  });
}

/** The banner after a decision: what happened to the story, and whether its author has been told. */
function decidedText(decision: string, story: Story): string {
  const done: Record<string, string> = {
    publish: 'Published: the story is in the library now.',
    ask_for_changes: 'You asked the author for changes.',
    reject: 'The story is rejected. It will not be published.',
  };
  const told = story.authorEmail
    ? 'We are emailing the author to tell them.'
    : 'The author gave no email address: tell them another way if you can.';
  return `${done[decision] ?? 'Your decision is saved.'} ${told}`;
}
