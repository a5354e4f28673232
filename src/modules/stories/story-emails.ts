import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Story, StoryMailReply } from '../../db/schema.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { OutgoingEmail } from '../email/mailer.ts';
import type { StoriesRepository } from './stories-repository.ts';
import { MAX_STORY } from './stories-schemas.ts';
import type { Decision } from './stories-schemas.ts';

interface Links {
  consentUrl: (id: string) => string;
  publicUrl: string;
  orgName: string;
}

/** How much of a title or a name an email repeats. */
export const ECHO_MAX = 80;

/**
 * Words someone typed, as an email repeats them: on one line and short. Anyone can send a story in
 * with any address; our emails must not carry a paragraph of their choosing to whoever owns it.
 */
export function short(text: string, max = ECHO_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trim()}…`;
}
const titleOf = (s: Pick<Story, 'title'>) => short(s.title);

const hello = (name: string | null) => {
  const shown = name ? short(name) : '';
  return shown ? `Hello ${shown},` : 'Hello,';
};
const yesNo = (v: boolean) => (v ? 'yes' : 'no');

/** The author's choices as they read them back. */
function choices(s: Story): string[] {
  return [
    `- May we publish your story? ${yesNo(s.consentPublish)}`,
    `- Show your name with it? ${s.consentPublish ? yesNo(s.consentShowName) : 'no (we will not publish it)'}`,
    `- May we quote it in reports? ${yesNo(s.consentQuote)}`,
  ];
}

const letter = (to: string, name: string | null, kind: string, subject: string, lines: string[], l: Links): OutgoingEmail => ({
  to,
  kind,
  subject,
  text: [hello(name), '', ...lines, '', 'Thank you,', l.orgName].join('\n'),
});
const message = (s: Story, kind: string, subject: string, lines: string[], l: Links): OutgoingEmail =>
  letter(s.authorEmail!, s.authorName, kind, subject, lines, l);

/** Sent when a story arrives through the form, from staff or the API. */
export function receivedEmail(s: Story, l: Links): OutgoingEmail {
  return message(
    s,
    'story-received',
    `Thank you for your story: ${titleOf(s)}`,
    [
      `Thank you for sharing your story, "${titleOf(s)}".`,
      '',
      'What happens next: someone on our team reads it and takes out personal details, like names, phone numbers and addresses, before anything is public. We will email you when we have read it.',
      '',
      'You told us:',
      ...choices(s),
      '',
      'You can see your choices, change them or withdraw your story at any time here:',
      l.consentUrl(s.id),
      '',
      'Keep this email: anyone with the link can change your choices.',
    ],
    l,
  );
}

/** Sent for a story emailed in: nothing is published or quoted until the author answers. */
export function consentRequestEmail(s: Story, l: Links): OutgoingEmail {
  return message(
    s,
    'story-consent-request',
    `Your story: may we share it? ${titleOf(s)}`,
    [
      'Thank you for emailing us your story. We have it safely.',
      '',
      'Before we can share it, please tell us:',
      '- May we publish it on our website?',
      '- If so, with your name or without it?',
      '- May we quote it in reports to senior leaders?',
      '',
      'Answer here (it takes a minute):',
      l.consentUrl(s.id),
      '',
      'Until you answer, we will not publish your story or quote it anywhere. Before anything is public, we take out personal details like names and phone numbers.',
    ],
    l,
  );
}

/** The plain reply to an email to the stories mailbox with no story in it. */
export function noStoryEmail(r: Pick<StoryMailReply, 'fromEmail' | 'fromName' | 'reason'>, l: Links): OutgoingEmail {
  const formUrl = `${l.publicUrl}/stories/new`;
  return letter(
    r.fromEmail,
    r.fromName,
    'story-not-found-in-email',
    r.reason === 'too_long' ? 'Your story is too long for us to take by email' : 'We could not find your story in your email',
    r.reason === 'too_long'
      ? [
          `Thank you for emailing us. Your story is longer than ${MAX_STORY.toLocaleString('en-GB')} characters, so we could not take it.`,
          '',
          `Please shorten it, or send it in two emails. You can also use the form: ${formUrl}`,
        ]
      : [
          'Thank you for emailing us. We could not find your story in the email: we do not open attachments.',
          '',
          `Please write your story in the email itself and send it again, or use the form: ${formUrl}`,
        ],
    l,
  );
}

/**
 * After a decision by staff, in plain words, with their note. A title changed when publishing or
 * correcting is mentioned, not repeated: the title it replaced is what was taken out.
 */
export function decisionEmail(
  s: Story,
  decision: Decision,
  note: string | null,
  l: Links,
  opts: { titleChanged?: boolean } = {},
): OutgoingEmail {
  const noteLines = note ? ['', 'A note from the person who read it:', note] : [];
  if (decision === 'take_down')
    return message(
      s,
      'story-taken-down',
      `Your story is off our website for now: ${titleOf(s)}`,
      [
        `We have taken your story, "${titleOf(s)}", off our website for now. Nobody can read it there, and we will not quote it in reports while it is off.`,
        ...(note ? ['', 'Why we took it down:', note] : []),
        '',
        'What happens next: we will make the change and may put your story back on our website. We will email you if we do.',
        'If you would rather change it yourself, or take it away for good, you can do that here:',
        l.consentUrl(s.id),
        '',
        'If you have a question about this, reply to this email.',
      ],
      l,
    );
  if (decision === 'correct')
    return message(
      s,
      'story-corrected',
      `We changed your story on our website: ${titleOf(s)}`,
      [
        `We have made a change to your story on our website, "${titleOf(s)}".`,
        ...(opts.titleChanged ? ['', `We changed its title. It is now: "${titleOf(s)}".`] : []),
        ...(note ? ['', 'What we changed, and why:', note] : []),
        '',
        'You can read it as it is now here:',
        `${l.publicUrl}/stories/${s.id}`,
        '',
        'You can change your mind and withdraw it at any time here:',
        l.consentUrl(s.id),
      ],
      l,
    );
  if (decision === 'publish')
    return message(
      s,
      'story-published',
      `Your story is published: ${titleOf(s)}`,
      [
        'Thank you. Your story is now on our website:',
        `${l.publicUrl}/stories/${s.id}`,
        ...(opts.titleChanged ? ['', `We changed its title before publishing it. It is now: "${titleOf(s)}".`] : []),
        ...noteLines,
        '',
        s.consentShowName ? 'It shows your name, as you chose.' : 'It does not show your name, as you chose.',
        'You can change your mind and withdraw it at any time here:',
        l.consentUrl(s.id),
      ],
      l,
    );
  if (decision === 'ask_for_changes')
    return message(
      s,
      'story-changes-requested',
      `Your story: please change something before we publish it`,
      [
        `Thank you for your story, "${titleOf(s)}". We would like to share it, but we ask you to change something first.`,
        ...noteLines,
        '',
        'You can change your story here. When you send it back, we will read it again:',
        l.consentUrl(s.id),
      ],
      l,
    );
  return message(
    s,
    'story-rejected',
    `Your story: ${titleOf(s)}`,
    [
      `Thank you for your story, "${titleOf(s)}". We are sorry: we cannot publish it.`,
      ...noteLines,
      '',
      'If you have a question about this, reply to this email.',
    ],
    l,
  );
}

export function withdrawnEmail(s: Story, l: Links): OutgoingEmail {
  return message(
    s,
    'story-withdrawn',
    `Your story is withdrawn: ${titleOf(s)}`,
    [
      `Your story, "${titleOf(s)}", is withdrawn. It is no longer on our website, and we will not quote it in any report from now on.`,
      '',
      'If this was a mistake, reply to this email.',
    ],
    l,
  );
}

/**
 * Composed when the email is sent, from the story as it is then: a decision that has since been
 * overtaken (a story withdrawn before its "published" email went) sends nothing.
 */
export function storyComposers(deps: {
  db: Db;
  stories: StoriesRepository;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  consentUrl: (id: string) => string;
}): EmailComposers {
  const links: Links = { consentUrl: deps.consentUrl, publicUrl: deps.config.publicUrl, orgName: deps.config.branding.orgName };
  const load = async (id: string | undefined) => {
    const s = id ? await deps.stories.find(deps.db, id) : undefined;
    return s?.authorEmail ? s : null;
  };
  return {
    'story-received': async ({ storyId }) => {
      const s = await load(storyId);
      return s && s.status !== 'withdrawn' ? receivedEmail(s, links) : null;
    },
    'story-consent-request': async ({ storyId }) => {
      const s = await load(storyId);
      return s && !s.consentAt && s.status !== 'withdrawn' ? consentRequestEmail(s, links) : null;
    },
    // The sender's address is read here, from the email's row: the job knows only its Message-ID.
    // Erased or cleaned up since: nothing to send.
    'story-not-found-in-email': async ({ messageId }) => {
      const r = messageId ? await deps.stories.findMailReply(deps.db, messageId) : undefined;
      return r ? noStoryEmail(r, links) : null;
    },
    'story-decision': async ({ storyId, entryId }) => {
      const s = await load(storyId);
      const entry = s ? await deps.stories.findEntry(deps.db, Number(entryId)) : undefined;
      if (!s || !entry || entry.storyId !== s.id) return null;
      // Only while the story is where the decision put it: one overtaken since (published, then withdrawn) sends nothing.
      const now: Record<Decision, Story['status']> = {
        publish: 'published',
        reject: 'rejected',
        ask_for_changes: 'changes_requested',
        take_down: 'changes_requested',
        correct: 'published',
      };
      if (!Object.hasOwn(now, entry.action)) return null;
      const decision = entry.action as Decision;
      return s.status === now[decision]
        ? decisionEmail(s, decision, entry.note, links, { titleChanged: entry.titleBefore !== null })
        : null;
    },
    'story-withdrawn': async ({ storyId }) => {
      const s = await load(storyId);
      return s && s.status === 'withdrawn' ? withdrawnEmail(s, links) : null;
    },
  };
}
