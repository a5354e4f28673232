import type { Db } from '../../db/client.ts';
import type { Story, StoryModerationEntry, StoryStatus } from '../../db/schema.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import type { Actor } from '../../plugins/access.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { StoriesRepository } from './stories-repository.ts';
import { NOTE_NEEDED, NOTHING_CHANGED, type Decision } from './stories-schemas.ts';
import { fieldOf, remainingIn, type FieldFlag } from './story-flags.ts';
import { FLAG_LABELS } from './stories-view.ts';

/**
 * Publishing a title or text that still holds details found in the story needs "publish anyway".
 * A conflict, so the API answers 409 and nothing changes.
 */
export class DetailsRemainError extends ConflictError {
  constructor(public readonly remaining: FieldFlag[]) {
    const kinds = [...new Set(remaining.map((f) => FLAG_LABELS[f.kind].toLowerCase()))];
    const fields = new Set(remaining.map(fieldOf));
    const where =
      fields.size === 2
        ? 'The title and the text to publish still contain'
        : fields.has('title')
          ? 'The title to publish still contains'
          : 'The text to publish still contains';
    super(`${where} personal details found in the story (${kinds.join(', ')}). Take them out, or confirm you want to publish anyway.`);
  }
}

/**
 * The title the public sees is decided with the text: staff may change it when they publish, or
 * correct it once published. The stories row keeps one title, so from then on `title` is the
 * published one (what every list, page, report and email shows, and what the author sees), and
 * each step that changed it keeps the title it replaced in `title_before`. The title as the author
 * sent it is not stored: it is the `title_before` of the first such step since they last sent the
 * story (a resubmit gives it their own title again).
 */
type TitledStep = Pick<StoryModerationEntry, 'action' | 'titleBefore'>;

/** The title as the author sent it: the story's own, unless a step changed it since they last sent it; then the title the first such step replaced. */
export function titleAsSentOf(history: TitledStep[], title: string): string {
  const since = history.map((h) => h.action).lastIndexOf('resubmit') + 1;
  return history.slice(since).find((h) => h.titleBefore !== null)?.titleBefore ?? title;
}

/**
 * The history as people read it: the title a step replaced is the title as sent on the first step
 * that changed it since the author sent the story (or sent it again), and the title before on later ones.
 */
export function withTitlesAsSent<T extends TitledStep>(history: T[]): (T & { titleAsSent: string | null })[] {
  let theirs = true;
  return history.map((h) => {
    if (h.action === 'resubmit') theirs = true;
    if (h.titleBefore === null || !theirs) return { ...h, titleAsSent: null };
    theirs = false;
    return { ...h, titleAsSent: h.titleBefore, titleBefore: null };
  });
}

/** The author has not agreed to publish, or not answered yet. */
export class NoConsentError extends ConflictError {}

/**
 * The moves staff may make: for each status, the decisions it allows and where each takes the
 * story. The one table of them: the pages offer what it allows, and `decide` checks it with the
 * story locked, so two decisions at once cannot both pass.
 *
 * Publishing is allowed from "changes asked for" as well as from "submitted": the author may answer
 * by phone, or staff may take the details out themselves, rather than wait for the story to be
 * sent back. A published story can still be corrected where it is (it stays published), or taken
 * down: it goes back to "changes asked for", because a story that has to come down almost always
 * needs a change before it can go up again, and the author has a say in how their story is
 * changed. They are emailed why, with the link to change it; staff can still change it themselves
 * and publish it again, or reject it, from there. Nothing moves a story on once it is rejected or
 * withdrawn; asking twice for changes is refused too.
 */
const MOVES: Record<StoryStatus, Partial<Record<Decision, StoryStatus>>> = {
  submitted: { publish: 'published', ask_for_changes: 'changes_requested', reject: 'rejected' },
  changes_requested: { publish: 'published', reject: 'rejected' },
  published: { correct: 'published', take_down: 'changes_requested' },
  rejected: {},
  withdrawn: {},
};
const ALREADY: Record<StoryStatus, string> = {
  submitted: 'This story is not published yet: it is waiting to be checked.',
  changes_requested: 'Someone has already asked the author for changes. Wait for them to send the story back.',
  published: 'Someone has already published this story. You can still correct it or take it down.',
  rejected: 'Someone has already rejected this story.',
  withdrawn: 'The author has withdrawn this story. Nothing more can be done with it.',
};
/** Taking down or correcting a story that is not published (any more). */
const NOT_PUBLISHED: Partial<Record<StoryStatus, string>> = {
  changes_requested: 'This story is not published: it is waiting for changes (someone may have taken it down). Its history says why.',
  rejected: 'This story is not published: someone has rejected it.',
};

/** Why this decision cannot be made on a story in this status, or null if it can. */
export function refusal(status: StoryStatus, decision: Decision): string | null {
  if (MOVES[status][decision]) return null;
  if ((decision === 'take_down' || decision === 'correct') && status !== 'withdrawn') return NOT_PUBLISHED[status] ?? ALREADY[status];
  return ALREADY[status];
}

export const decisionsFor = (status: StoryStatus): Decision[] => Object.keys(MOVES[status]) as Decision[];

/** Why a story cannot be published now, or null if it can: its author's consent. */
export function consentRefusal(s: Pick<Story, 'consentAt' | 'consentPublish'>): string | null {
  if (!s.consentAt) return 'The author has not answered the consent questions yet, so this story cannot be published.';
  if (!s.consentPublish) return 'The author has not agreed to publish this story, so it cannot be published.';
  return null;
}

export interface DecisionInput {
  decision: Decision;
  /** The title to publish; without it, the title as it is now (as sent, or as published). */
  title?: string | undefined;
  /** The text to publish; without it, the text as it is now (as published, or as sent). */
  body?: string | undefined;
  note?: string | undefined;
  easyReadSummary?: string | undefined;
  themes?: string[] | undefined;
  publishAnyway?: boolean | undefined;
}

const cleanThemes = (themes: string[]) => {
  const seen = new Map<string, string>();
  for (const t of themes.map((x) => x.trim()).filter(Boolean)) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()];
};
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const AUDIT_ACTIONS: Record<Decision, string> = {
  publish: 'story.published',
  reject: 'story.rejected',
  ask_for_changes: 'story.changes_requested',
  take_down: 'story.taken_down',
  correct: 'story.corrected',
};

/**
 * Staff decide: publish, ask the author for changes, or reject; once published, correct it or take
 * it down. One decision wins; the other gets a 409.
 */
export function createStoryModeration(deps: { db: Db; stories: StoriesRepository; audit: AuditTrail; jobs: Pick<Jobs, 'sendEmail'> }) {
  const { db, stories: repo } = deps;
  return {
    async decide(actor: Actor, id: string, input: DecisionInput): Promise<Story> {
      const { decision } = input;
      const out = await db.transaction(async (tx) => {
        // Locked, so two decisions at once (two staff, a double click) are made one after the other.
        const s = await repo.find(tx, id, { forUpdate: true });
        if (!s) throw new NotFoundError('No story with that id');
        const to = MOVES[s.status][decision];
        if (!to) throw new ConflictError(refusal(s.status, decision)!);
        const needed = NOTE_NEEDED[decision];
        if (needed && !input.note?.trim()) throw new ValidationError([{ path: 'note', message: needed }]);
        let values: Partial<Story> = { status: to };
        let titleBefore: string | null = null;
        let details: Record<string, unknown> = {};
        if (decision === 'publish' || decision === 'correct') {
          const noConsent = consentRefusal(s);
          if (noConsent) throw new NoConsentError(noConsent);
          const text = input.body ?? s.publishedBody ?? s.body;
          const title = input.title ?? s.title;
          const remaining = remainingIn(s.flags, title, text);
          if (remaining.length && !input.publishAnyway) throw new DetailsRemainError(remaining);
          const easyReadSummary = input.easyReadSummary !== undefined ? input.easyReadSummary || null : s.easyReadSummary;
          const themes = input.themes !== undefined ? cleanThemes(input.themes) : s.themes;
          if (
            decision === 'correct' &&
            title === s.title &&
            text === s.publishedBody &&
            easyReadSummary === s.easyReadSummary &&
            sameList(themes, s.themes)
          )
            throw new ValidationError([{ path: 'body', message: NOTHING_CHANGED }]);
          if (title !== s.title) titleBefore = s.title;
          values = {
            status: to,
            ...(titleBefore !== null ? { title } : {}),
            publishedBody: text,
            // A correction is the same story, published when it was.
            ...(decision === 'publish' ? { publishedAt: new Date() } : {}),
            easyReadSummary,
            themes,
          };
          details = {
            detailsLeft: remaining.length,
            titleChanged: titleBefore !== null,
            ...(decision === 'correct' ? { textChanged: text !== s.publishedBody } : {}),
          };
        }
        const story = await repo.update(tx, s.id, values);
        const entry = await repo.insertEntry(tx, {
          storyId: s.id,
          action: decision,
          note: input.note?.trim() || null,
          titleBefore,
          byPerson: actor.personId,
        });
        await deps.audit.insert(tx, {
          actorId: actor.personId,
          action: AUDIT_ACTIONS[decision],
          subjectType: 'story',
          subjectId: s.id,
          details: { from: s.status, to: story.status, ...details },
        });
        return { story, entryId: entry.id };
      });
      // Every decision is the author's to know, a correction too: their words changed where the public reads them.
      if (out.story.authorEmail)
        await deps.jobs.sendEmail({ kind: 'story-decision', ref: { storyId: out.story.id, entryId: String(out.entryId) } });
      return out.story;
    },
  };
}
