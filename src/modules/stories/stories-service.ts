import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/client.ts';
import { isUuid, UUID } from '../../db/ids.ts';
import type { Story } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { hmac, safeEqual } from '../../lib/tokens.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Logger } from '../../logger.ts';
import { isStaff, type Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { ConversationsLookup } from '../conversations/conversations-service.ts';
import type { PeopleLookup } from '../people/people-service.ts';
import type { StoriesRepository } from './stories-repository.ts';
import type { Decision, StoryInput } from './stories-schemas.ts';
import { storyComposers } from './story-emails.ts';
import { addTitleFlags, flagStory, redactStory, remainingIn, type FieldFlag } from './story-flags.ts';
import { createStoryMailIntake } from './story-mail-intake.ts';
import { createStoryModeration, titleAsSentOf, withTitlesAsSent } from './story-moderation.ts';

/** How a story came in, and who typed it if not its author. */
export interface SubmitHow {
  source: 'web' | 'staff' | 'api';
  /** Staff entering a story told to them: how the teller gave consent. */
  consentHow?: string | undefined;
  isDemo?: boolean;
}

/** The author, proved by the link in their email or by being signed in as them; staff may act for them. */
export type AuthorProof = { token: string } | { actor: Actor };

const libraryKey = z.strictObject({ at: z.iso.datetime(), id: z.string().regex(UUID) });

/**
 * Acknowledgements of stories sent through the public form: at most this many a day to one
 * address. Anyone can type any address into the form, and each acknowledgement carries words
 * they chose; past the limit the story is still kept, only the email is not sent.
 */
export const ACKNOWLEDGEMENTS_A_DAY = 3;

/** A submission key sent again for a different story (a replayed or copied form): nothing is stored. */
export class ResentFormError extends ConflictError {
  constructor() {
    super('This form was already sent; please reload the page');
  }
}

/** A conversation the public may see: once it is no longer a draft. */
const isPublicConversation = (c: { status: string } | null | undefined) => !!c && c.status !== 'draft';

/** What a report may quote: published, agreed to be quoted, and a short piece of it. */
export function excerptOf(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 40)).trim()}…`;
}

/** The name shown with a story: only when its author chose so. */
export const shownName = (s: Story) => (s.consentShowName && s.authorName ? s.authorName : null);

/** Personal stories: sent in by anyone, moderated before anything is public, withdrawn at once. */
export function createStoriesService(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding' | 'imapUrl'>;
  secret: string;
  stories: StoriesRepository;
  conversations: ConversationsLookup;
  people: PeopleLookup;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}) {
  const { db, stories: repo } = deps;
  const consentToken = (id: string) => hmac(deps.secret, `story-consent:${id}`);
  const consentUrl = (id: string) => `${deps.config.publicUrl}/stories/${id}/consent?token=${consentToken(id)}`;
  const mail = createStoryMailIntake({
    db,
    // An emailed story's title is its Subject, where people often write their name: flagged like the body.
    stories: { ...repo, insert: (ex, values) => repo.insert(ex, { ...values, flags: addTitleFlags(values.title, values.flags ?? []) }) },
    audit: deps.audit,
    jobs: deps.jobs,
    imapUrl: deps.config.imapUrl,
    log: deps.log,
  });
  const moderation = createStoryModeration({ db, stories: repo, audit: deps.audit, jobs: deps.jobs });

  async function mustFind(id: string, ex: Db | Tx = db, forUpdate = false): Promise<Story> {
    const s = await repo.find(ex, id, { forUpdate });
    if (!s) throw new NotFoundError('No story with that id');
    return s;
  }

  const isAuthor = (s: Story, by: AuthorProof) =>
    'token' in by ? safeEqual(by.token, consentToken(s.id)) : !!s.personId && by.actor.personId === s.personId;

  /** The story, locked, if `by` may act for its author; otherwise 404, as if it did not exist. */
  async function lockForAuthor(tx: Tx, id: string, by: AuthorProof, opts: { staffToo?: boolean } = {}) {
    const s = await repo.find(tx, id, { forUpdate: true });
    if (!s || !(isAuthor(s, by) || (opts.staffToo && 'actor' in by && isStaff(by.actor)))) throw new NotFoundError('No story with that id');
    return s;
  }
  const actorIdOf = (s: Story, by: AuthorProof) => ('actor' in by ? by.actor.personId : s.personId);

  async function checkLinks(tx: Tx, input: StoryInput, source: SubmitHow['source']) {
    const errors = [];
    if (input.conversationId) {
      const c = await deps.conversations.get(input.conversationId, tx);
      // The public form offers open conversations only; a draft is nobody's business yet.
      if (!c || (source === 'web' && c.status === 'draft'))
        errors.push({ path: 'conversationId', message: 'There is no conversation with that id' });
      else if (source === 'web' && c.status !== 'open')
        errors.push({ path: 'conversationId', message: 'That conversation has closed: choose another, or leave it blank' });
    }
    if (input.personId) {
      const p = isUuid(input.personId) ? await deps.people.findById(input.personId, tx) : undefined;
      if (!p || p.erasedAt) errors.push({ path: 'personId', message: 'There is no person with that id' });
    }
    if (errors.length) throw new ValidationError(errors);
  }

  async function tellAuthor(s: Story, kind: string, ref: Record<string, string> = {}) {
    if (s.authorEmail) await deps.jobs.sendEmail({ kind, ref: { storyId: s.id, ...ref } });
  }

  async function withdrawIn(tx: Tx, s: Story, by: AuthorProof): Promise<Story> {
    const updated = await repo.update(tx, s.id, {
      status: 'withdrawn',
      consentPublish: false,
      consentQuote: false,
      withdrawnAt: new Date(),
    });
    await repo.insertEntry(tx, { storyId: s.id, action: 'withdraw', note: null, byPerson: actorIdOf(s, by) });
    await deps.audit.insert(tx, {
      actorId: actorIdOf(s, by),
      action: 'story.withdrawn',
      subjectType: 'story',
      subjectId: s.id,
      details: { from: s.status, by: 'actor' in by && by.actor.personId !== s.personId ? 'staff' : 'author' },
    });
    return updated;
  }

  return {
    composers: storyComposers({ db, stories: repo, config: deps.config, consentUrl }),
    consentUrl,
    receiveEmail: mail.receiveEmail,
    readMailbox: mail.readMailbox,
    watchMailbox: mail.watchMailbox,
    removeOldMailReplies: mail.removeOldMailReplies,
    ...moderation,

    /**
     * Takes a story in. A second post with the same submission key returns the first story
     * (created: false) and sends nothing again.
     */
    async submit(actor: Actor | null, input: StoryInput, how: SubmitHow): Promise<{ story: Story; created: boolean }> {
      const viaStaff = how.source !== 'web';
      // Only the public form is limited: staff and API callers are known, and answer for what they send.
      const limited = how.source === 'web' && !!input.authorEmail;
      const result = await db.transaction(async (tx) => {
        await checkLinks(tx, input, how.source);
        // One submission to an address at a time, so two at once cannot both count under the limit.
        if (limited) await repo.lockAddress(tx, input.authorEmail!);
        const out = await repo.insert(tx, {
          title: input.title,
          body: input.body,
          flags: flagStory(input.title, input.body),
          authorName: input.authorName ?? null,
          authorEmail: input.authorEmail ?? null,
          authorOrganisation: input.authorOrganisation ?? null,
          personId: viaStaff ? (input.personId ?? null) : (actor?.personId ?? null),
          conversationId: input.conversationId ?? null,
          source: how.source,
          enteredBy: viaStaff ? (actor?.personId ?? null) : null,
          consentPublish: input.consent.publish,
          consentShowName: input.consent.publish && input.consent.showName,
          consentQuote: input.consent.quote,
          consentAt: new Date(),
          submissionKey: input.submissionKey ?? randomUUID(),
          isDemo: how.isDemo ?? false,
        });
        if (!out.created) {
          // The same key means the same form sent twice (a double click, a retry) only if it carried
          // the same story, or came from the same signed-in person; anything else would show another
          // story's reference to whoever copied the key.
          const s = out.story;
          const same =
            (s.title === input.title && s.body === input.body) ||
            (!!actor && (s.personId === actor.personId || s.enteredBy === actor.personId));
          if (!same) throw new ResentFormError();
          return { ...out, acknowledge: false };
        }
        const acknowledge =
          !!out.story.authorEmail && (!limited || (await repo.countWebStoriesTo(tx, out.story.authorEmail, 24)) <= ACKNOWLEDGEMENTS_A_DAY);
        if (how.consentHow)
          await repo.insertEntry(tx, { storyId: out.story.id, action: 'consent', note: how.consentHow, byPerson: actor?.personId ?? null });
        await deps.audit.insert(tx, {
          actorId: actor?.personId ?? null,
          action: 'story.submitted',
          subjectType: 'story',
          subjectId: out.story.id,
          details: { source: how.source, flags: out.story.flags.length, onBehalf: viaStaff },
        });
        return { ...out, acknowledge };
      });
      if (result.acknowledge) await tellAuthor(result.story, 'story-received');
      else if (result.created && result.story.authorEmail)
        // Without the address: the log is no place for it, and the story's id finds it.
        deps.log.warn(
          { storyId: result.story.id, limit: ACKNOWLEDGEMENTS_A_DAY },
          'a story from the form was kept but not acknowledged: its email address has had the most acknowledgements a day',
        );
      return { story: result.story, created: result.created };
    },

    /** A story for staff: everything, with its history and the names of who did what. */
    async forStaff(id: string) {
      const story = await mustFind(id);
      const history = await repo.entries(db, id);
      const names = await deps.people.namesByIds([...new Set(history.map((h) => h.byPerson).filter((x): x is string => !!x))]);
      const conversation = story.conversationId ? await deps.conversations.get(story.conversationId) : null;
      return {
        story,
        // The title as the author sent it: the story's own, unless staff changed it when publishing or correcting it.
        titleAsSent: titleAsSentOf(history, story.title),
        // Each step with who did it, and the title it replaced: as sent, or before.
        history: withTitlesAsSent(history).map((h) => ({ ...h, byName: h.byPerson ? (names.get(h.byPerson) ?? null) : null })),
        conversation,
      };
    },
    async queue(status?: Story['status']) {
      const [list, counts] = await Promise.all([repo.list(db, { status, limit: 500 }), repo.countsByStatus(db)]);
      return { stories: list, counts };
    },
    /** The title and the text with every flagged detail taken out (the moderation page's button). */
    async redacted(id: string, title: string | undefined, body: string): Promise<{ title: string; body: string }> {
      const s = await mustFind(id);
      return redactStory(s.flags, title ?? s.title, body);
    },
    remaining: (flags: FieldFlag[], title: string, body: string) => remainingIn(flags, title, body),
    conversations: () => deps.conversations.list(),
    async openConversations() {
      return (await deps.conversations.list()).filter((c) => c.status === 'open');
    },

    // ---- the author ----------------------------------------------------------------------------
    /** The story as its author sees it, or null if `by` does not prove they are its author. */
    async forAuthor(id: string, by: AuthorProof) {
      const s = await repo.find(db, id);
      if (!s || !isAuthor(s, by)) return null;
      const history = await repo.entries(db, id);
      // What staff asked for: the note of the step that sent it back to them, a take-down or a request for changes.
      const asked =
        s.status === 'changes_requested'
          ? [...history].reverse().find((h) => h.action === 'ask_for_changes' || h.action === 'take_down')
          : undefined;
      return { story: s, askedFor: asked?.note ?? null, takenDown: asked?.action === 'take_down' };
    },
    mine: (personId: string) => repo.ofPerson(db, personId),

    /** The author answers or changes their choices; saying no to publishing a published story withdraws it. */
    async setConsent(by: AuthorProof, id: string, consent: { publish: boolean; showName: boolean; quote: boolean }): Promise<Story> {
      const out = await db.transaction(async (tx) => {
        const s = await lockForAuthor(tx, id, by);
        if (s.status === 'withdrawn')
          throw new ConflictError('You have withdrawn this story, so it cannot be shared. You can send it to us again.');
        if (s.status === 'published' && !consent.publish) return { story: await withdrawIn(tx, s, by), withdrawn: true };
        const updated = await repo.update(tx, s.id, {
          consentPublish: consent.publish,
          consentShowName: consent.publish && consent.showName,
          consentQuote: consent.quote,
          consentAt: new Date(),
        });
        const note = `publish: ${consent.publish ? 'yes' : 'no'}; show name: ${updated.consentShowName ? 'yes' : 'no'}; quote: ${consent.quote ? 'yes' : 'no'}`;
        await repo.insertEntry(tx, { storyId: s.id, action: 'consent', note, byPerson: actorIdOf(s, by) });
        await deps.audit.insert(tx, {
          actorId: actorIdOf(s, by),
          action: 'story.consent',
          subjectType: 'story',
          subjectId: s.id,
          details: { publish: consent.publish, showName: updated.consentShowName, quote: consent.quote, first: !s.consentAt },
        });
        return { story: updated, withdrawn: false };
      });
      if (out.withdrawn) await tellAuthor(out.story, 'story-withdrawn');
      return out.story;
    },

    /** Takes effect at once: the library, the API and every report made from now on leave it out. */
    async withdraw(by: AuthorProof, id: string): Promise<Story> {
      const out = await db.transaction(async (tx) => {
        const s = await lockForAuthor(tx, id, by, { staffToo: true });
        // A second click lands on the same page.
        if (s.status === 'withdrawn') return { story: s, changed: false };
        return { story: await withdrawIn(tx, s, by), changed: true };
      });
      if (out.changed) await tellAuthor(out.story, 'story-withdrawn');
      return out.story;
    },

    /** After staff asked for changes: the author's new text goes back to be checked, flags found afresh. */
    async change(by: AuthorProof, id: string, input: { title: string; body: string }): Promise<Story> {
      return db.transaction(async (tx) => {
        const s = await lockForAuthor(tx, id, by);
        if (s.status !== 'changes_requested')
          throw new ConflictError('This story is not waiting for changes, so it cannot be changed now.');
        const updated = await repo.update(tx, s.id, {
          title: input.title,
          body: input.body,
          flags: flagStory(input.title, input.body),
          publishedBody: null,
          status: 'submitted',
        });
        await repo.insertEntry(tx, { storyId: s.id, action: 'resubmit', note: null, byPerson: actorIdOf(s, by) });
        await deps.audit.insert(tx, { actorId: actorIdOf(s, by), action: 'story.resubmitted', subjectType: 'story', subjectId: s.id });
        return updated;
      });
    },

    // ---- what the public sees ------------------------------------------------------------------
    // A published story may belong to a conversation that is still a draft (staff and the API may
    // link one): the public sees neither its title nor its id, nor can filter by it, until it opens.
    /** The library: each story with its conversation's title (null for none, or a draft), and the filters to offer. */
    async library(filter: { conversationId?: string | undefined; theme?: string | undefined }) {
      const [list, themes, ids, all] = await Promise.all([
        repo.published(db, { ...filter, limit: 500 }),
        repo.publishedThemes(db),
        repo.publishedConversationIds(db),
        deps.conversations.list(),
      ]);
      const shown = all.filter(isPublicConversation);
      const titles = new Map(shown.map((c) => [c.id, c.title]));
      // Filtering by a draft's id shows what an unknown id shows: nothing.
      const stories = filter.conversationId && !titles.has(filter.conversationId) ? [] : list;
      return {
        stories: stories.map((story) => ({
          story,
          conversationTitle: story.conversationId ? (titles.get(story.conversationId) ?? null) : null,
        })),
        themes,
        conversations: shown.filter((c) => ids.includes(c.id)),
      };
    },
    async publishedStory(id: string): Promise<{ story: Story; conversationTitle: string | null }> {
      const s = await repo.findPublished(db, id);
      if (!s) throw new NotFoundError('No published story with that id');
      const c = s.conversationId ? await deps.conversations.get(s.conversationId) : null;
      return { story: s, conversationTitle: isPublicConversation(c) ? c!.title : null };
    },
    /** The public API's pages: a draft conversation's id is left out of each story, and is no filter. */
    async publishedPage(opts: { conversationId?: string | undefined; theme?: string | undefined; cursor?: string; limit: number }) {
      if (opts.conversationId && !isPublicConversation(await deps.conversations.get(opts.conversationId)))
        throw new ValidationError([{ path: 'conversationId', message: 'There is no conversation with that id' }]);
      const key = decodeCursor(libraryKey, opts.cursor);
      const [rows, all] = await Promise.all([
        repo.published(db, {
          conversationId: opts.conversationId,
          theme: opts.theme,
          after: key ? { at: new Date(key.at), id: key.id } : undefined,
          limit: opts.limit + 1,
        }),
        deps.conversations.list(),
      ]);
      const shown = new Set(all.filter(isPublicConversation).map((c) => c.id));
      const page = pageOf(rows, opts.limit, (last) => ({ at: last.publishedAt!.toISOString(), id: last.id }));
      return {
        ...page,
        items: page.items.map((s) => ({ ...s, conversationId: s.conversationId && shown.has(s.conversationId) ? s.conversationId : null })),
      };
    },

    /**
     * For a conversation's summary: published stories whose author agreed to be quoted, read at the
     * moment it is called, so a story withdrawn before a report is made is not in it.
     */
    async publishedIn(conversationId: string): Promise<{ id: string; title: string; excerpt: string; authorName: string | null }[]> {
      if (!isUuid(conversationId)) return [];
      const rows = await repo.published(db, { conversationId, quotable: true, limit: 1000 });
      return rows.map((s) => ({ id: s.id, title: s.title, excerpt: excerptOf(s.publishedBody ?? ''), authorName: shownName(s) }));
    },
  };
}

export type StoriesService = ReturnType<typeof createStoriesService>;
export type { Decision };
