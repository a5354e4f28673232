import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { SECTORS, type Conversation } from '../../db/schema.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { formFailure, type FormFailure } from '../../lib/forms.ts';
import { ConflictError, fieldErrors, ValidationError, type FieldError } from '../../lib/validation.ts';
import type { ChatWithPledges } from './conversations-service.ts';
import {
  chatDraftFormSchema,
  chatFormSchema,
  MAX_PLEDGES,
  SECTOR_LABELS,
  type ChatDraftInput,
  type ChatInput,
} from './conversations-schemas.ts';

/**
 * The chat record form, shared by the team lead's page (new, or through its link) and staff
 * typing up a paper sheet. Its errors name the box they belong to, in page order.
 */
const FIELD_ORDER = [
  'teamName',
  'organisation',
  'sector',
  'heldOn',
  'peopleCount',
  'lived',
  'answer_',
  'pledges',
  'leadName',
  'leadEmail',
  'leadPhone',
];
const order = (path: string) => {
  const i = FIELD_ORDER.findIndex((f) => path === f || (f.endsWith('_') && path.startsWith(f)));
  return i < 0 ? FIELD_ORDER.length : i;
};

/** Schema paths as the form's boxes: `answers.q2` is the box `answer_q2`. */
export function chatFailure(errors: FieldError[]): FormFailure {
  const boxes = errors
    .map((e) => ({ ...e, path: e.path.replace(/^answers\.([a-z0-9_]+).*/, 'answer_$1') }))
    .sort((a, b) => order(a.path) - order(b.path));
  return formFailure(boxes, {
    idFor: (p) => (p === 'heldOn' ? 'heldOn-day' : p === 'sector' ? 'sector' : p === 'pledges' ? 'pledge-1' : p),
  });
}

export type ParsedChat = { ok: true; data: ChatInput | ChatDraftInput } | FormFailure;
/** A chat being sent needs every detail; one saved to finish later, only the team's name. */
export function parseChatForm(body: unknown, opts: { draft: boolean }): ParsedChat {
  const parsed = (opts.draft ? chatDraftFormSchema : chatFormSchema).safeParse(body ?? {});
  return parsed.success ? { ok: true, data: parsed.data } : chatFailure(fieldErrors(parsed.error));
}

/** What the boxes show: what was typed (after a mistake) or the saved chat. */
export function chatValues(chat: ChatWithPledges | null, body?: Record<string, unknown>): Record<string, unknown> {
  if (body) return body;
  if (!chat) return {};
  const [y = '', m = '', d = ''] = chat.heldOn?.split('-') ?? [];
  return {
    teamName: chat.teamName,
    organisation: chat.organisation ?? '',
    sector: chat.sector ?? '',
    'heldOn[day]': d && String(Number(d)),
    'heldOn[month]': m && String(Number(m)),
    'heldOn[year]': y,
    peopleCount: chat.peopleCount === null ? '' : String(chat.peopleCount),
    lived: chat.livedCount === null ? '' : String(chat.livedCount),
    ...Object.fromEntries(Object.entries(chat.answers).map(([k, v]) => [`answer_${k}`, v])),
    pledge: chat.pledges.map((p) => p.text),
    leadName: chat.leadName ?? '',
    leadEmail: chat.leadEmail ?? '',
    leadPhone: chat.leadPhone ?? '',
  };
}

export function renderChatForm(
  reply: FastifyReply,
  ctx: {
    conversation: Conversation;
    title: string;
    action: string;
    back: string;
    values: Record<string, unknown>;
    failure?: FormFailure;
    hidden?: Record<string, string>;
    canSaveDraft: boolean;
    onBehalf?: boolean;
  },
  status = 200,
) {
  const typed = ctx.values.pledge;
  const pledges = (Array.isArray(typed) ? typed : typed ? [typed] : []).map(String).filter((p) => p.trim());
  const slots = Math.min(MAX_PLEDGES, Math.max(5, pledges.length + 2));
  return reply.status(status).view('conversations/views/chat-form.njk', {
    title: ctx.title,
    conversation: ctx.conversation,
    action: ctx.action,
    back: ctx.back,
    values: ctx.values,
    hidden: Object.entries(ctx.hidden ?? { submissionKey: randomUUID() }).map(([name, value]) => ({ name, value })),
    canSaveDraft: ctx.canSaveDraft,
    onBehalf: !!ctx.onBehalf,
    // The steps are asked for under their own question, or at the end when none asks for them.
    stepsAsked: ctx.conversation.questions.some((q) => q.steps),
    sectorItems: SECTORS.map((s) => ({ value: s, text: SECTOR_LABELS[s], checked: ctx.values.sector === s })),
    pledgeSlots: Array.from({ length: slots }, (_, i) => ({ n: i + 1, value: pledges[i] ?? '' })),
    ...failureView(ctx.failure),
  });
}

/** A service refusal on the chat form: bad input beside its box, a closed conversation at the top. */
export function chatRefusal(err: unknown): { failure: FormFailure; status: number } | null {
  if (err instanceof ValidationError) return { failure: chatFailure(err.errors), status: 400 };
  if (err instanceof ConflictError)
    return { failure: { ok: false, errors: {}, errorList: [{ text: err.message, href: '#teamName' }] }, status: 409 };
  return null;
}
