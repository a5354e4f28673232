import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';
import { createStoriesRepository, type ModerationAction } from './stories-repository.ts';
import { DECISIONS } from './stories-schemas.ts';
import { fieldOf } from './story-flags.ts';
import { titleAsSentOf } from './story-moderation.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Steps that are staff's: their decisions, and consent they recorded for someone by phone or letter. */
const isStaffStep = (action: ModerationAction, byPerson: string | null) =>
  (DECISIONS as readonly ModerationAction[]).includes(action) || (action === 'consent' && byPerson !== null);

/**
 * A story is its author's: found by their account, or, when no account holds it, by the email
 * address it came from. Export gives each story with their choices and every step it took, and
 * the emails they sent to the stories mailbox with no story in them; erasure deletes their
 * stories, their history and those emails, takes their address out of stories other accounts hold,
 * and unlinks staff who entered or moderated others'.
 *
 * Matching by address is right for a story emailed in or sent through the form without signing
 * in: nothing else ties it to anyone, and it is theirs to ask for. But an address proves less than
 * an account: anyone can type anyone's into the form, or staff may type it for someone else. So a
 * story found only by its address gives what it says about the author (the story in their words,
 * the title as sent, their consent choices, the steps it took and when) and leaves out the notes
 * staff wrote about it, which would otherwise go to whoever owns the address typed.
 */
export function storiesPersonalData(): PersonalDataHolder {
  const repo = createStoriesRepository();
  const emailOf = async (ex: Parameters<PersonalDataHolder['export']>[0], personId: string) =>
    (await rowsOf<{ email: string | null }>(ex, sql`select email from people where id = ${personId}`))[0]?.email ?? null;

  return {
    module: 'stories',
    tables: {
      stories:
        'each story as told and as published, its author’s name, email and organisation, their consent, the personal details found in it',
      story_mail_replies:
        'emails to the stories mailbox with no story in them, for 30 days: the sender’s address and name, the Message-ID, why no story was taken, when',
      story_moderation:
        'every step a story took: staff decisions and notes, the title a step replaced, consent given or withdrawn, and who did it',
    },
    personColumns: {
      'stories.person_id': 'the author’s account: their stories are deleted',
      'stories.entered_by': 'cleared on other people’s stories: the member of staff who typed them in',
      'story_moderation.by_person': 'cleared on other people’s stories: who made the decision or gave consent',
    },
    async export(ex, personId) {
      const email = await emailOf(ex, personId);
      const [mine, emails] = await Promise.all([repo.ofAuthor(ex, personId, email), repo.mailRepliesOf(ex, email)]);
      const history = await Promise.all(mine.map((s) => repo.entries(ex, s.id)));
      return {
        stories: mine.map((s, i) => {
          const byAccount = s.personId === personId;
          const titleAsSent = titleAsSentOf(history[i]!, s.title);
          return {
            title: s.title,
            ...(titleAsSent !== s.title ? { titleAsSent } : {}),
            foundBy: byAccount ? 'your account' : 'your email address',
            story: s.body,
            published: s.publishedBody,
            easyReadSummary: s.easyReadSummary,
            themes: s.themes,
            status: s.status,
            sentBy: s.source,
            name: s.authorName,
            email: s.authorEmail,
            organisation: s.authorOrganisation,
            consent: { publish: s.consentPublish, showName: s.consentShowName, quote: s.consentQuote, answeredAt: iso(s.consentAt) },
            personalDetailsFound: s.flags.map((f) => ({ kind: f.kind, text: f.text, in: fieldOf(f) })),
            sentAt: iso(s.createdAt),
            publishedAt: iso(s.publishedAt),
            withdrawnAt: iso(s.withdrawnAt),
            history: history[i]!.map((h) => ({
              step: h.action,
              note: byAccount || !isStaffStep(h.action, h.byPerson) ? h.note : null,
              at: iso(h.at),
            })),
          };
        }),
        storyEmailsWithoutAStory: emails.map((r) => ({
          from: r.fromEmail,
          name: r.fromName,
          why: r.reason === 'too_long' ? 'the story was too long to take by email' : 'we found no story in it',
          receivedAt: iso(r.receivedAt),
          messageId: r.messageId,
        })),
      };
    },
    async forget(tx, person) {
      await repo.forgetAuthor(tx, person.id, person.email);
    },
  };
}
