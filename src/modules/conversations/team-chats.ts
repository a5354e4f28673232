import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Conversation } from '../../db/schema.ts';
import { CHAT_FOLLOW_UP_QUEUE, type Jobs } from '../../jobs/jobs.ts';
import { dayInWords, fromLondon, londonDay } from '../../lib/dates.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import { chatDraftEmail, chatReceivedEmail, pledgeFollowUpEmail, type ChatEmailContext } from './conversations-emails.ts';
import type { ChatColumns, ChatWithPledges, ConversationsRepository, SentChat } from './conversations-repository.ts';
import type { ChatDraftInput, ChatInput } from './conversations-schemas.ts';

const DAY = 86_400_000;
const today = () => londonDay(new Date());
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** When to ask how a chat's steps went: 9 am London time on the day it falls due (never overnight), or now if that has passed. */
export function followUpDue(heldOn: string, days: number, now = new Date()): Date {
  const [y, m, d] = addDays(heldOn, days).split('-').map(Number) as [number, number, number];
  const due = fromLondon(y, m, d, 9);
  return due > now ? due : now;
}

const SENT_CHAT_NEEDS = {
  organisation: 'Enter your organisation',
  sector: 'Choose the sector your team works in',
  heldOn: 'Enter the date of the chat',
  peopleCount: 'Enter how many people took part, as a number',
};

/** A chat can be recorded while its conversation is open, from its opening day to its closing day. */
export const acceptsChats = (c: Conversation) => c.status === 'open' && c.opensOn <= today() && today() <= c.closesOn;

/**
 * Team chats: a team's record of its chat (from its lead through a link with no account, from
 * staff typing up a paper sheet, or from the API), its pledges and their follow-up, and staff
 * taking a chat out of the summary. Part of the conversations service.
 */
export function createTeamChats(deps: {
  db: Db;
  config: Config;
  secret: string;
  conversations: ConversationsRepository;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'>;
  log: Pick<Logger, 'warn' | 'error'>;
  mustFind: (id: string, ex?: Executor, opts?: { lock?: boolean }) => Promise<Conversation>;
  /** Themes are found again when the chats that count change. */
  queueThemes: (conversationId: string) => Promise<void>;
}) {
  const { db, conversations: repo, config, jobs, mustFind, queueThemes } = deps;
  const chatToken = (id: string) => hmac(deps.secret, `team-chat:${id}`);
  const followUpToken = (id: string) => hmac(deps.secret, `pledge-follow-up:${id}`);
  const chatUrl = (id: string) => `${config.publicUrl}/chats/${id}?token=${chatToken(id)}`;
  const followUpUrl = (id: string) => `${config.publicUrl}/chats/${id}/pledges?token=${followUpToken(id)}`;

  /** Sent chats with no email whose follow-up is due and not answered: staff ring them. */
  const dueToPhone = <C extends ChatWithPledges>(chats: C[]): (C & SentChat)[] => {
    const dueBy = addDays(today(), -config.pledgeFollowUpDays);
    return chats.filter(
      (chat): chat is C & SentChat =>
        chat.status === 'submitted' &&
        !chat.leadEmail &&
        !!chat.heldOn &&
        chat.heldOn <= dueBy &&
        chat.pledges.length > 0 &&
        chat.pledges.some((p) => !p.progress),
    );
  };

  async function mustFindChat(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const chat = isUuid(id) ? await repo.findChat(ex, id, opts) : null;
    if (!chat) throw new NotFoundError('No team chat with that id');
    return chat;
  }

  /** The conversation's own rules for a chat: its questions, who may take part, dates. */
  function checkChat(c: Conversation, input: ChatInput | ChatDraftInput, opts: { finished: boolean }) {
    const errors: FieldError[] = [];
    const keys = new Set(c.questions.map((q) => q.key));
    for (const key of Object.keys(input.answers))
      if (!keys.has(key)) errors.push({ path: `answers.${key}`, message: `This conversation has no question "${key}"` });
    if (input.sector && c.sectors.length && !c.sectors.includes(input.sector))
      errors.push({ path: 'sector', message: 'This conversation is for teams in other sectors' });
    const organisation = input.organisation?.trim().toLowerCase();
    if (organisation && c.organisations.length && !c.organisations.some((o) => o.toLowerCase() === organisation))
      errors.push({ path: 'organisation', message: `This conversation is for these organisations: ${c.organisations.join(', ')}` });
    if (input.heldOn && input.heldOn > today()) errors.push({ path: 'heldOn', message: 'The date of the chat cannot be in the future' });
    else if (input.heldOn && input.heldOn < c.opensOn)
      errors.push({ path: 'heldOn', message: `The chat must be on or after ${dayInWords(c.opensOn)}, when this conversation opened` });
    // A draft may leave these for later; a sent chat has them all (the table checks it too).
    if (opts.finished)
      for (const [path, message] of Object.entries(SENT_CHAT_NEEDS))
        if (input[path as keyof typeof SENT_CHAT_NEEDS] === undefined) errors.push({ path, message });
    if (opts.finished && !Object.values(input.answers).some((a) => a.trim()))
      errors.push({ path: `answer_${c.questions[0]!.key}`, message: 'Write down what your team said about at least one question' });
    if (errors.length) throw new ValidationError(errors);
  }

  const chatColumns = (input: ChatInput | ChatDraftInput): ChatColumns => ({
    teamName: input.teamName,
    organisation: input.organisation ?? null,
    sector: input.sector ?? null,
    heldOn: input.heldOn ?? null,
    peopleCount: input.peopleCount ?? null,
    livedCount: input.lived ?? null,
    answers: Object.fromEntries(Object.entries(input.answers).filter(([, v]) => v.trim())),
    leadName: input.leadName || null,
    leadEmail: input.leadEmail?.toLowerCase() || null,
    leadPhone: input.leadPhone || null,
  });

  /** After a chat is sent: thank the lead, plan the follow-up, and find themes again. */
  async function afterSubmitted(
    chat: { id: string; heldOn: string; leadEmail: string | null; conversationId: string },
    opts: { email: boolean } = { email: true },
  ) {
    try {
      if (chat.leadEmail && opts.email) {
        await jobs.sendEmail({ kind: 'team-chat-received', ref: { chatId: chat.id } });
        await jobs.enqueue(
          CHAT_FOLLOW_UP_QUEUE,
          { chatId: chat.id },
          { startAfter: followUpDue(chat.heldOn, config.pledgeFollowUpDays), singletonKey: `follow-up:${chat.id}` },
        );
      }
      await queueThemes(chat.conversationId);
    } catch (err) {
      // The chat is stored; a lost email or theme run is logged, never undoes it.
      deps.log.error({ err, chatId: chat.id }, 'could not queue the work after a team chat');
    }
  }
  /**
   * Anyone may give any address as the lead's, so the form could be used to send mail to a
   * stranger: past a few chats a day for one address, the chat is kept and no email goes.
   */
  const EMAILS_PER_ADDRESS_PER_DAY = 3;
  async function mayEmailLead(email: string) {
    if ((await repo.recentChatsLedBy(db, email)) <= EMAILS_PER_ADDRESS_PER_DAY) return true;
    deps.log.warn('team chat: no email to its lead, who has been given for too many chats today');
    return false;
  }

  async function emailContext(chat: ChatWithPledges): Promise<ChatEmailContext | null> {
    if (!chat.leadEmail) return null;
    const c = await repo.find(db, chat.conversationId);
    if (!c) return null;
    return {
      to: chat.leadEmail,
      leadName: chat.leadName,
      teamName: chat.teamName,
      conversationTitle: c.title,
      closesOn: c.closesOn,
      chatUrl: chatUrl(chat.id),
      orgName: config.branding.orgName,
    };
  }
  const composeFor = async (chatId: string | undefined) => {
    const chat = chatId && isUuid(chatId) ? await repo.findChat(db, chatId) : null;
    return chat ? { chat, context: await emailContext(chat) } : null;
  };
  const composers: EmailComposers = {
    'team-chat-draft': async ({ chatId }) => {
      const found = await composeFor(chatId);
      return found?.context && found.chat.status === 'draft' ? chatDraftEmail(found.context) : null;
    },
    'team-chat-received': async ({ chatId }) => {
      const found = await composeFor(chatId);
      if (!found?.context || found.chat.status !== 'submitted') return null;
      return chatReceivedEmail({ ...found.context, followUpDays: config.pledgeFollowUpDays, pledges: found.chat.pledges.length });
    },
    'pledge-follow-up': async ({ chatId }) => {
      const found = await composeFor(chatId);
      if (!found?.context || !found.chat.pledges.length) return null;
      return pledgeFollowUpEmail({
        ...found.context,
        pledges: found.chat.pledges.map((p) => p.text),
        followUpUrl: followUpUrl(found.chat.id),
      });
    },
  };

  return {
    composers,
    chatToken,
    followUpToken,
    chatUrl,
    followUpUrl,

    /**
     * A team's record of its chat, from its lead (signed in or not), from staff typing up a paper
     * sheet (`actor` is staff), or from the API. A draft is kept to finish later through its link.
     * The same submission key twice (a double click) records one chat and returns it.
     */
    async recordChat(
      actor: Actor | null,
      conversationId: string,
      input: ChatInput | ChatDraftInput,
      opts: { draft?: boolean; submissionKey?: string; onBehalf?: boolean } = {},
    ): Promise<{ chat: ChatWithPledges; token: string; repeated: boolean }> {
      const draft = !!opts.draft;
      const key = opts.submissionKey && isUuid(opts.submissionKey) ? opts.submissionKey : null;
      const result = await db.transaction(async (tx) => {
        const c = await mustFind(conversationId, tx);
        if (key) {
          const earlier = await repo.findChatBySubmissionKey(tx, key);
          // A double click sends the same team again; the same key with another team is not a repeat.
          if (earlier && (earlier.conversationId !== conversationId || earlier.teamName !== input.teamName))
            throw new ConflictError('This form was already sent. Reload the page to record another chat.');
          if (earlier) return { chat: (await repo.findChat(tx, earlier.id))!, repeated: true };
        }
        if (!acceptsChats(c)) throw new ConflictError('This conversation is closed: it is not taking team chats now');
        checkChat(c, input, { finished: !draft });
        const inserted = await repo.insertChat(tx, {
          ...chatColumns(input),
          conversationId,
          status: draft ? 'draft' : 'submitted',
          leadPersonId: actor && !opts.onBehalf ? actor.personId : null,
          recordedBy: actor && opts.onBehalf ? actor.personId : null,
          submissionKey: key,
          submittedAt: draft ? null : new Date(),
        });
        // Two identical posts at the same moment: the second finds the first's row.
        if (!inserted) return { chat: (await repo.findChat(tx, (await repo.findChatBySubmissionKey(tx, key!))!.id))!, repeated: true };
        await repo.replacePledges(tx, inserted.id, input.pledges ?? []);
        await deps.audit.insert(tx, {
          actorId: actor?.personId ?? null,
          action: draft ? 'team_chat.draft_saved' : 'team_chat.recorded',
          subjectType: 'team_chat',
          subjectId: inserted.id,
          details: { conversationId, onBehalf: !!opts.onBehalf },
        });
        return { chat: (await repo.findChat(tx, inserted.id))!, repeated: false };
      });
      if (!result.repeated) {
        const mayEmail = !result.chat.leadEmail || (await mayEmailLead(result.chat.leadEmail));
        if (draft && result.chat.leadEmail && mayEmail)
          await jobs.sendEmail({ kind: 'team-chat-draft', ref: { chatId: result.chat.id } }).catch(() => undefined);
        if (!draft) await afterSubmitted(result.chat as SentChat, { email: mayEmail });
      }
      return { ...result, token: chatToken(result.chat.id) };
    },

    /** The chat behind a link; someone else's link (or a damaged one) finds nothing. */
    async chatForToken(id: string, token: string | undefined, kind: 'chat' | 'follow-up' = 'chat') {
      const expected = isUuid(id) ? (kind === 'chat' ? chatToken(id) : followUpToken(id)) : null;
      if (!expected || !token || !safeEqual(expected, token)) throw new NotFoundError('This link does not work');
      const chat = await mustFindChat(id);
      return { chat, conversation: await mustFind(chat.conversationId) };
    },
    getChat: (id: string) => mustFindChat(id),
    chatsOf: (conversationId: string) => repo.chatsOf(db, conversationId),
    sentChatsOf: (conversationId: string) => repo.sentChatsOf(db, conversationId),

    /** Changing a chat through its link (or by staff): a draft may be finished; a sent chat stays sent. */
    async updateChat(
      actor: Actor | null,
      id: string,
      input: ChatInput | ChatDraftInput,
      opts: { draft?: boolean } = {},
    ): Promise<ChatWithPledges> {
      let sentNow = false;
      const chat = await db.transaction(async (tx) => {
        const chat = await mustFindChat(id, tx, { lock: true });
        const c = await mustFind(chat.conversationId, tx);
        if (!acceptsChats(c)) throw new ConflictError('This conversation is closed: its chats cannot be changed now');
        if (chat.status === 'removed')
          throw new ConflictError('The team running this conversation has taken this chat out. Contact them to put it back.');
        const draft = chat.status === 'draft' && !!opts.draft;
        checkChat(c, input, { finished: !draft });
        sentNow = chat.status === 'draft' && !draft;
        await repo.updateChat(tx, id, {
          ...chatColumns(input),
          status: draft ? 'draft' : 'submitted',
          submittedAt: chat.submittedAt ?? (draft ? null : new Date()),
        });
        // Keep the follow-up answers of pledges whose words did not change.
        const same = chat.pledges.map((p) => p.text).join('\n') === (input.pledges ?? []).join('\n');
        if (!same) await repo.replacePledges(tx, id, input.pledges ?? []);
        await deps.audit.insert(tx, {
          actorId: actor?.personId ?? null,
          action: sentNow ? 'team_chat.recorded' : 'team_chat.changed',
          subjectType: 'team_chat',
          subjectId: id,
        });
        return (await repo.findChat(tx, id))!;
      });
      if (sentNow) await afterSubmitted(chat as SentChat);
      else if (chat.status === 'submitted') await queueThemes(chat.conversationId).catch(() => undefined);
      return chat;
    },

    /**
     * Staff leave a chat out of the summary (a test, a duplicate, nonsense from the public form),
     * saying why; nothing is deleted, and it can be put back.
     */
    async removeChat(actor: Actor, id: string, reason: string): Promise<void> {
      const chat = await db.transaction(async (tx) => {
        const chat = await mustFindChat(id, tx, { lock: true });
        if (chat.status !== 'submitted') throw new ConflictError('Only a sent chat can be taken out of the summary');
        await repo.setRemoved(tx, id, { by: actor.personId, reason });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'team_chat.removed', subjectType: 'team_chat', subjectId: id });
        return chat;
      });
      await queueThemes(chat.conversationId).catch(() => undefined);
    },
    async restoreChat(actor: Actor, id: string): Promise<void> {
      const chat = await db.transaction(async (tx) => {
        const chat = await mustFindChat(id, tx, { lock: true });
        if (chat.status !== 'removed') throw new ConflictError('This chat is already in the summary');
        await repo.setRemoved(tx, id, null);
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'team_chat.restored', subjectType: 'team_chat', subjectId: id });
        return chat;
      });
      await queueThemes(chat.conversationId).catch(() => undefined);
    },

    /** The follow-up job: ask the lead how each pledge went, once. */
    async sendFollowUp(chatId: string): Promise<void> {
      const chat = isUuid(chatId) ? await repo.findChat(db, chatId) : null;
      if (!chat || chat.status !== 'submitted' || !chat.leadEmail || !chat.pledges.length || chat.followUpSentAt) return;
      // Queued before it is marked: if queuing fails the job runs again; a lost follow-up cannot be seen.
      await jobs.sendEmail({ kind: 'pledge-follow-up', ref: { chatId } });
      await repo.markFollowUpSent(db, chatId);
    },

    /** How each pledge went, from the follow-up link or from staff after a phone call. */
    async recordPledgeProgress(
      actor: Actor | null,
      chatId: string,
      input: { progress: Record<string, 'done' | 'started' | 'not_yet' | 'dropped'>; note?: string | undefined },
    ): Promise<void> {
      await db.transaction(async (tx) => {
        const chat = await mustFindChat(chatId, tx, { lock: true });
        const own = new Set(chat.pledges.map((p) => p.id));
        const errors: FieldError[] = [];
        for (const id of Object.keys(input.progress))
          if (!own.has(id)) errors.push({ path: `progress_${id}`, message: 'That step is not one of this team’s' });
        for (const p of chat.pledges)
          if (!input.progress[p.id]) errors.push({ path: `progress_${p.id}`, message: `Choose how “${p.text}” went` });
        if (errors.length) throw new ValidationError(errors);
        await repo.setPledgeProgress(tx, chatId, input.progress, input.note ?? null);
        await deps.audit.insert(tx, {
          actorId: actor?.personId ?? null,
          action: 'team_chat.pledges_followed_up',
          subjectType: 'team_chat',
          subjectId: chatId,
          details: { pledges: Object.keys(input.progress).length },
        });
      });
    },

    /** Teams with no email whose follow-up is due and not answered: staff ring them. */
    async toPhone(conversationId: string) {
      await mustFind(conversationId);
      return dueToPhone(await repo.sentChatsOf(db, conversationId));
    },

    /** Every chat of a conversation, for staff, and how many of them are waiting for a phone call. */
    async chatsForStaff(conversationId: string) {
      const chats = await repo.chatsOf(db, conversationId);
      return { chats, toPhone: dueToPhone(chats).length };
    },
  };
}

export type TeamChats = ReturnType<typeof createTeamChats>;
