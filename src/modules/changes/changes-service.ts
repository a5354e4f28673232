import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { isUuid, UUID } from '../../db/ids.ts';
import type { Change, ChangeSourceType, ChangeStatus, Person } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { dayInWords, londonDay } from '../../lib/dates.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { BoardsLookup } from '../boards/boards-lookup.ts';
import type { ConsentsService } from '../consents/consents-service.ts';
import type { ConversationsLookup } from '../conversations/conversations-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { EventsLookup } from '../events/events-service.ts';
import type { FormsLookup } from '../forms/forms-service.ts';
import type { StoriesService } from '../stories/stories-service.ts';
import { changePublishedEmail } from './changes-emails.ts';
import { createChangesRepository, type ChangesRepository } from './changes-repository.ts';
import { STATUS_IN_WORDS, type ChangeInput, type ChangeSourceRef } from './changes-schemas.ts';

export type { Change };

/** A published entry as a report lists it under "What changed". */
export interface WhatChanged {
  id: string;
  youSaid: string;
  weDid: string;
  status: ChangeStatus;
  statusText: string;
  publishedOn: string;
  publishedOnText: string;
  theme: string | null;
}

/** Where an entry was said, as staff and the public see it, read when it is shown. */
export interface ShownSource {
  type: ChangeSourceType;
  id: string;
  theme: string | null;
  /** For staff: what it is, by name. */
  title: string;
  /** For the public: where it was said, naming only what the public may see. */
  text: string;
  /** Its public page, where there is one. */
  url: string | null;
  /** Whether the public may know it (and its id). */
  isPublic: boolean;
  /** False when the source has gone since (deleted). */
  exists: boolean;
}

export interface SourceChoice {
  value: string;
  text: string;
}

const cursorKey = z.strictObject({ on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), id: z.string().regex(UUID) });
const today = () => londonDay(new Date());
const quoted = (t: string) => `“${t.replace(/\s+/g, ' ').trim()}”`;

const NOT_FOUND: Record<ChangeSourceType, string> = {
  form: 'There is no form with that id',
  conversation: 'There is no conversation with that id',
  meeting: 'There is no board meeting with that id',
  decision: 'There is no board decision with that id',
  story: 'There is no story with that id',
};

/**
 * "You said, we did": staff record what people said and what changed because of it, linked to
 * where it was said; published entries are shown to everyone, in the event report and in the
 * conversation summary; and the people who took part are told once, if they agreed to be contacted.
 */
export function createChangesService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  changes?: ChangesRepository;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  forms: Pick<FormsLookup, 'findForm' | 'listForms' | 'formsOfEvent' | 'themeLabels' | 'respondentIds'>;
  events: Pick<EventsLookup, 'findEvent'>;
  conversations: Pick<ConversationsLookup, 'get' | 'list' | 'themeLabels' | 'chatLeads'>;
  stories: Pick<StoriesService, 'forStaff' | 'queue'>;
  /** Meetings and decisions as sources, who sits on their board, and the list for the staff form. */
  boards: Pick<BoardsLookup, 'source' | 'membersFor' | 'choices'>;
  consents: Pick<ConsentsService, 'hasConsent'>;
  people: { findById(id: string): Promise<Person | undefined> };
}) {
  const { db } = deps;
  const repo = deps.changes ?? createChangesRepository();

  async function mustFind(id: string, ex: Executor = db, opts: { lock?: boolean } = {}) {
    const c = isUuid(id) ? await repo.find(ex, id, opts) : null;
    if (!c) throw new NotFoundError('No "You said, we did" entry with that id');
    return c;
  }

  /** A story as this module needs it, or null: the stories service answers 404 for one that does not exist. */
  async function storyOf(id: string) {
    try {
      const { story } = await deps.stories.forStaff(id);
      return story;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  // ---- where it was said ------------------------------------------------------------------------

  const sourceError = (path: string, message: string) => new ValidationError([{ path: `source.${path}`, message }]);

  /** The one label of `labels` the theme names (in any case), or a refusal that lists them. */
  function themeIn(labels: string[], theme: string, what: string): string {
    const found = labels.find((l) => l.toLowerCase() === theme.trim().toLowerCase());
    if (found) return found;
    if (!labels.length) throw sourceError('theme', `No themes have been found in ${what} yet: leave the theme out`);
    const list = labels.slice(0, 8).map(quoted).join(', ');
    throw sourceError('theme', `${what} has no theme ${quoted(theme)}. Its themes are ${list}${labels.length > 8 ? ' and more' : ''}`);
  }

  /**
   * Checks that the source exists and may be named: a form or conversation people have had the
   * chance to answer, a board meeting or decision, a published story. Returns it with the theme
   * as the source spells it.
   */
  async function checkSource(ref: ChangeSourceRef, ex: Executor): Promise<ChangeSourceRef> {
    const id = ref.id.toLowerCase();
    if (!isUuid(id)) throw sourceError('id', NOT_FOUND[ref.type]);
    if (ref.theme && ref.type !== 'form' && ref.type !== 'conversation')
      throw sourceError('theme', 'Only a form or a conversation has themes');
    switch (ref.type) {
      case 'form': {
        const f = await deps.forms.findForm(ex, id);
        if (!f) throw sourceError('id', NOT_FOUND.form);
        if (f.status === 'draft') throw sourceError('id', 'That form has not been opened yet, so no one has answered it');
        const theme = ref.theme ? themeIn(await deps.forms.themeLabels(ex, id), ref.theme, 'That form') : undefined;
        return { type: 'form', id, theme };
      }
      case 'conversation': {
        const c = await deps.conversations.get(id, ex);
        if (!c) throw sourceError('id', NOT_FOUND.conversation);
        if (c.status === 'draft') throw sourceError('id', 'That conversation has not opened yet, so no team has talked it through');
        const theme = ref.theme ? themeIn(await deps.conversations.themeLabels(id), ref.theme, 'That conversation') : undefined;
        return { type: 'conversation', id, theme };
      }
      case 'meeting':
      case 'decision': {
        if (!(await deps.boards.source(ref.type, id, ex))) throw sourceError('id', NOT_FOUND[ref.type]);
        return { type: ref.type, id };
      }
      case 'story': {
        const s = await storyOf(id);
        if (!s) throw sourceError('id', NOT_FOUND.story);
        if (s.status !== 'published' || !s.consentPublish)
          throw sourceError('id', 'That story is not published: only a published story can be where a change came from');
        return { type: 'story', id };
      }
    }
  }

  /** Where an entry was said, read now: a story withdrawn or a board unpublished since is no longer named. */
  async function describe(type: ChangeSourceType, id: string, theme: string | null): Promise<ShownSource> {
    const base = { type, id, theme };
    const gone = (what: string): ShownSource => ({
      ...base,
      title: `${what} that no longer exists`,
      text: what,
      url: null,
      isPublic: false,
      exists: false,
    });
    switch (type) {
      case 'form': {
        const f = await deps.forms.findForm(db, id);
        if (!f) return gone('A feedback form');
        const event = f.eventId ? await deps.events.findEvent(db, f.eventId) : undefined;
        const eventShown = !!event && event.status !== 'draft';
        // A form's title is public once the form has been opened, unless its event is still a draft.
        const shown = f.status !== 'draft' && (!f.eventId || eventShown);
        return {
          ...base,
          title: `Feedback form: ${f.title}`,
          text: eventShown ? `The feedback form for ${event.title}` : shown ? `The feedback form ${quoted(f.title)}` : 'A feedback form',
          url: eventShown ? `/events/${event.id}` : null,
          isPublic: shown,
          exists: true,
        };
      }
      case 'conversation': {
        const c = await deps.conversations.get(id);
        if (!c) return gone('A conversation');
        const shown = c.status !== 'draft';
        return {
          ...base,
          title: `Conversation: ${c.title}`,
          text: shown ? `The conversation ${quoted(c.title)}` : 'A conversation',
          url: shown ? `/conversations/${c.id}` : null,
          isPublic: shown,
          exists: true,
        };
      }
      case 'meeting':
      case 'decision': {
        const s = await deps.boards.source(type, id);
        const what = type === 'meeting' ? 'A board meeting' : 'A board decision';
        if (!s) return gone(what);
        return {
          ...base,
          title: `${type === 'meeting' ? 'Board meeting' : 'Board decision'}: ${s.boardName}, ${s.title}`,
          text: !s.published
            ? what
            : type === 'meeting'
              ? `The ${s.boardName} meeting ${quoted(s.title)}`
              : `A decision of the ${s.boardName}: ${quoted(s.title)}`,
          url: s.published ? `/boards/${s.boardId}` : null,
          isPublic: s.published,
          exists: true,
        };
      }
      case 'story': {
        const s = await storyOf(id);
        if (!s) return gone('A story');
        const shown = s.status === 'published' && s.consentPublish;
        return {
          ...base,
          title: `Story: ${s.title}${shown ? '' : ' (no longer published)'}`,
          text: shown ? `The story ${quoted(s.title)}` : 'A story someone shared',
          url: shown ? `/stories/${s.id}` : null,
          isPublic: shown,
          exists: true,
        };
      }
    }
  }

  /** Each entry with its source described, looking each source up once. */
  async function withSources(rows: Change[]) {
    const seen = new Map<string, Promise<ShownSource>>();
    return Promise.all(
      rows.map(async (change) => {
        if (!change.sourceType || !change.sourceId) return { change, source: null };
        const key = `${change.sourceType}:${change.sourceId}:${change.sourceTheme ?? ''}`;
        if (!seen.has(key)) seen.set(key, describe(change.sourceType, change.sourceId, change.sourceTheme));
        return { change, source: await seen.get(key)! };
      }),
    );
  }

  const whatChanged = (c: Change): WhatChanged => ({
    id: c.id,
    youSaid: c.youSaid,
    weDid: c.weDid,
    status: c.status,
    statusText: STATUS_IN_WORDS[c.status],
    publishedOn: c.publishedOn!,
    publishedOnText: dayInWords(c.publishedOn!),
    theme: c.sourceTheme,
  });

  // ---- telling the people who took part ----------------------------------------------------------

  /** Who took part in a source: the accounts that answered, led a chat, sit on the board, wrote the story. */
  async function participantsOf(type: ChangeSourceType, id: string): Promise<string[]> {
    switch (type) {
      case 'form':
        return deps.forms.respondentIds(db, id);
      case 'conversation':
        // A lead with no account gave an address for that chat only, with no consent to be contacted
        // (consent belongs to an account), and anyone may type anyone's address into the chat form.
        return (await deps.conversations.chatLeads(id)).personIds;
      case 'meeting':
      case 'decision':
        return deps.boards.membersFor(type, id);
      case 'story': {
        const s = await storyOf(id);
        return s?.personId ? [s.personId] : [];
      }
    }
  }

  /** May this person be told now: an account with an address, not erased, who agreed to be contacted. */
  async function mayTell(personId: string): Promise<Person | null> {
    const p = await deps.people.findById(personId);
    if (!p || p.erasedAt || !p.email) return null;
    return (await deps.consents.hasConsent(personId, 'contact')) ? p : null;
  }

  /**
   * Tells the people who took part, once per entry: the claim is one update that only one caller
   * can win, so a double click or two processes publishing at once send one email each. The claim
   * comes first: an email lost to a failure after it is logged, never sent twice.
   */
  async function tellPeople(changeId: string): Promise<number> {
    try {
      const c = await repo.claimNotification(db, changeId, today());
      if (!c) return 0;
      const ids = c.sourceType && c.sourceId ? [...new Set(await participantsOf(c.sourceType, c.sourceId))] : [];
      let told = 0;
      for (const personId of ids) {
        if (!(await mayTell(personId))) continue;
        await deps.jobs.sendEmail({ kind: 'change-published', ref: { changeId, personId } });
        told++;
      }
      await repo.setNotifiedCount(db, changeId, told);
      await deps.audit.insert(db, {
        actorId: null,
        action: 'change.people_told',
        subjectType: 'change',
        subjectId: changeId,
        details: { tookPart: ids.length, told },
      });
      return told;
    } catch (err) {
      deps.log.error({ err, changeId }, 'could not tell the people who took part about a published change');
      return 0;
    }
  }

  async function whyFor(type: ChangeSourceType, id: string): Promise<string | null> {
    switch (type) {
      case 'form': {
        const f = await deps.forms.findForm(db, id);
        return f ? `you answered the feedback form ${quoted(f.title)}` : null;
      }
      case 'conversation': {
        const c = await deps.conversations.get(id);
        return c ? `you led a team chat in ${quoted(c.title)}` : null;
      }
      case 'meeting':
      case 'decision': {
        const s = await deps.boards.source(type, id);
        return s ? `you sit on the ${s.boardName}` : null;
      }
      case 'story': {
        const s = await storyOf(id);
        return s ? `you shared the story ${quoted(s.title)}` : null;
      }
    }
  }

  const composers: EmailComposers = {
    // Composed when it goes: an entry unpublished since, or consent withdrawn since, sends nothing.
    'change-published': async ({ changeId, personId }) => {
      if (!changeId || !personId || !isUuid(changeId) || !isUuid(personId)) return null;
      const c = await repo.find(db, changeId);
      if (!c || !c.publishedOn || c.publishedOn > today() || !c.sourceType || !c.sourceId) return null;
      const person = await mayTell(personId);
      const why = person ? await whyFor(c.sourceType, c.sourceId) : null;
      if (!person || !why) return null;
      return changePublishedEmail({
        to: person.email!,
        name: person.name,
        youSaid: c.youSaid,
        weDid: c.weDid,
        status: c.status,
        why,
        pageUrl: `${deps.config.publicUrl}/you-said-we-did`,
        consentsUrl: `${deps.config.publicUrl}/account/consents`,
        orgName: deps.config.branding.orgName,
      });
    },
  };

  // ---- writing -----------------------------------------------------------------------------------

  function checkDay(day: string) {
    if (day > today())
      throw new ValidationError([
        { path: 'publishedOn', message: 'The date to show it from cannot be in the future: publish it on the day it is ready' },
      ]);
    return day;
  }

  const columnsOf = (input: ChangeInput, source: ChangeSourceRef | null) => ({
    youSaid: input.youSaid,
    weDid: input.weDid,
    status: input.status,
    sourceType: source?.type ?? null,
    sourceId: source?.id ?? null,
    sourceTheme: source?.theme ?? null,
  });

  const sameSource = (c: Change, ref: ChangeSourceRef | null) =>
    (c.sourceType ?? null) === (ref?.type ?? null) &&
    (c.sourceId ?? null) === (ref?.id.toLowerCase() ?? null) &&
    (c.sourceTheme ?? '').toLowerCase() === (ref?.theme ?? '').trim().toLowerCase();

  return {
    composers,
    tellPeople,

    /**
     * Records an entry: a draft, or published at once when `publishedOn` is given. The same
     * submission key twice (a double click) records one entry and returns it.
     */
    async create(
      actor: Actor,
      input: ChangeInput,
      opts: { publishedOn?: string | undefined; submissionKey?: string | undefined; isDemo?: boolean } = {},
    ): Promise<{ change: Change; repeated: boolean }> {
      const publishedOn = opts.publishedOn ? checkDay(opts.publishedOn) : null;
      const key = opts.submissionKey && isUuid(opts.submissionKey) ? opts.submissionKey : null;
      const result = await db.transaction(async (tx) => {
        if (key) {
          const earlier = await repo.findBySubmissionKey(tx, key);
          if (earlier && (earlier.youSaid !== input.youSaid || earlier.weDid !== input.weDid))
            throw new ConflictError('This form was already sent. Reload the page to record another change.');
          if (earlier) return { change: earlier, repeated: true };
        }
        const source = input.source ? await checkSource(input.source, tx) : null;
        const inserted = await repo.insert(tx, {
          ...columnsOf(input, source),
          publishedOn,
          createdBy: actor.personId,
          submissionKey: key,
          isDemo: opts.isDemo ?? false,
        });
        // Two identical posts at the same moment: the second finds the first's row.
        if (!inserted) return { change: (await repo.findBySubmissionKey(tx, key!))!, repeated: true };
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'change.created',
          subjectType: 'change',
          subjectId: inserted.id,
          details: { status: inserted.status, source: inserted.sourceType, published: !!publishedOn },
        });
        return { change: inserted, repeated: false };
      });
      if (!result.repeated && result.change.publishedOn) await tellPeople(result.change.id);
      return result;
    },

    /** Changes the words, status or source; a published entry may also move the day it is shown from. */
    async update(actor: Actor, id: string, input: ChangeInput, opts: { publishedOn?: string | undefined } = {}): Promise<Change> {
      return db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        // A source chosen before and unchanged is kept as it is, even if it could not be chosen now.
        const source = sameSource(c, input.source)
          ? input.source && { type: c.sourceType!, id: c.sourceId!, theme: c.sourceTheme ?? undefined }
          : input.source
            ? await checkSource(input.source, tx)
            : null;
        const publishedOn = c.publishedOn && opts.publishedOn ? checkDay(opts.publishedOn) : c.publishedOn;
        const updated = await repo.update(tx, id, { ...columnsOf(input, source), publishedOn });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'change.updated',
          subjectType: 'change',
          subjectId: id,
          details: { status: updated.status, source: updated.sourceType },
        });
        return updated;
      });
    },

    /** Shown to everyone from `on` (today unless given; never a day to come); the people who took part are told. */
    async publish(actor: Actor, id: string, on?: string): Promise<Change> {
      const day = checkDay(on ?? today());
      const change = await db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        if (c.publishedOn) throw new ConflictError('This change is already published');
        // The source may have changed since it was recorded: a story withdrawn is no longer a source to publish.
        if (c.sourceType && c.sourceId) await checkSource({ type: c.sourceType, id: c.sourceId, theme: c.sourceTheme ?? undefined }, tx);
        const updated = await repo.update(tx, id, { publishedOn: day });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'change.published',
          subjectType: 'change',
          subjectId: id,
          details: { publishedOn: day },
        });
        return updated;
      });
      await tellPeople(change.id);
      return change;
    },

    /** Back to a draft: it leaves the public page, the API and the reports at once. Nobody is told again if it comes back. */
    async unpublish(actor: Actor, id: string): Promise<Change> {
      return db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        if (!c.publishedOn) throw new ConflictError('This change is a draft already');
        const updated = await repo.update(tx, id, { publishedOn: null });
        await deps.audit.insert(tx, { actorId: actor.personId, action: 'change.unpublished', subjectType: 'change', subjectId: id });
        return updated;
      });
    },

    /** Only a draft may be deleted: a published entry is unpublished first, so nothing shown vanishes by a slip. */
    async remove(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const c = await mustFind(id, tx, { lock: true });
        if (c.publishedOn) throw new ConflictError('This change is published: unpublish it before deleting it');
        await repo.remove(tx, id);
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: 'change.deleted',
          subjectType: 'change',
          subjectId: id,
          details: { status: c.status, source: c.sourceType },
        });
      });
    },

    // ---- staff -----------------------------------------------------------------------------------
    get: (id: string) => mustFind(id),
    async forStaff(id: string) {
      const change = await mustFind(id);
      const [entry] = await withSources([change]);
      return entry!;
    },
    async listForStaff() {
      return withSources(await repo.all(db));
    },

    /**
     * What staff choose from: each form and conversation people have answered (and each of its
     * themes), board meetings and decisions where the boards module lists them, and published stories.
     */
    async sourceChoices(): Promise<SourceChoice[]> {
      const value = (type: string, id: string, theme?: string) => (theme ? `${type}:${id}:${theme}` : `${type}:${id}`);
      const out: SourceChoice[] = [];
      const forms = (await deps.forms.listForms(db)).filter((f) => f.status !== 'draft');
      for (const f of forms) {
        out.push({ value: value('form', f.id), text: `Feedback form: ${f.title}` });
        for (const label of await deps.forms.themeLabels(db, f.id))
          out.push({ value: value('form', f.id, label), text: `Feedback form: ${f.title}, theme: ${label}` });
      }
      for (const c of (await deps.conversations.list()).filter((c) => c.status !== 'draft')) {
        out.push({ value: value('conversation', c.id), text: `Conversation: ${c.title}` });
        for (const label of await deps.conversations.themeLabels(c.id))
          out.push({ value: value('conversation', c.id, label), text: `Conversation: ${c.title}, theme: ${label}` });
      }
      for (const s of await deps.boards.choices())
        out.push({
          value: value(s.type, s.id),
          text: `${s.type === 'meeting' ? 'Board meeting' : 'Board decision'}: ${s.boardName}, ${s.title}`,
        });
      for (const s of (await deps.stories.queue('published')).stories.filter((s) => s.consentPublish))
        out.push({ value: value('story', s.id), text: `Story: ${s.title}` });
      return out;
    },

    // ---- the public ------------------------------------------------------------------------------
    /** The public page: every entry shown today (of one status, if asked), newest first, and how many of each. */
    async publicList(status?: ChangeStatus) {
      const day = today();
      const [rows, counts] = await Promise.all([repo.published(db, { today: day, status, limit: 500 }), repo.publishedCounts(db, day)]);
      return { entries: await withSources(rows), counts };
    },

    /** The public API's pages, newest first. */
    async publishedPage(opts: { status?: ChangeStatus | undefined; cursor?: string | undefined; limit: number }) {
      const key = decodeCursor(cursorKey, opts.cursor);
      const rows = await repo.published(db, { today: today(), status: opts.status, after: key, limit: opts.limit + 1 });
      const page = pageOf(rows, opts.limit, (last) => ({ on: last.publishedOn!, id: last.id }));
      return { items: await withSources(page.items), nextCursor: page.nextCursor };
    },

    /** "What changed" in an event report: published entries that came from the event's forms. */
    async publishedForEvent(eventId: string): Promise<WhatChanged[]> {
      if (!isUuid(eventId)) return [];
      const forms = await deps.forms.formsOfEvent(db, eventId);
      return (
        await repo.publishedFrom(
          db,
          'form',
          forms.map((f) => f.id),
          today(),
        )
      ).map(whatChanged);
    },

    /** "What changed" in a conversation's summary: published entries that came from it. */
    async publishedForConversation(conversationId: string): Promise<WhatChanged[]> {
      if (!isUuid(conversationId)) return [];
      return (await repo.publishedFrom(db, 'conversation', [conversationId], today())).map(whatChanged);
    },
  };
}

export type ChangesService = ReturnType<typeof createChangesService>;
