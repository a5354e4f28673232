import { dayInWords } from '../../lib/dates.ts';
import type { OutgoingEmail } from '../email/mailer.ts';

export interface ChatEmailContext {
  to: string;
  leadName: string | null;
  teamName: string;
  conversationTitle: string;
  closesOn: string;
  chatUrl: string;
  orgName: string;
}

const hello = (name: string | null) => (name ? `Hello ${name},` : 'Hello,');
const signOff = (orgName: string) => ['', 'Thank you,', orgName];

/** Sent when a team lead saves a chat to finish later: the link is the only way back without an account. */
export function chatDraftEmail(c: ChatEmailContext): OutgoingEmail {
  return {
    kind: 'team-chat-draft',
    to: c.to,
    subject: `Finish your team chat record: ${c.conversationTitle}`,
    text: [
      hello(c.leadName),
      '',
      `We have saved what you wrote about ${c.teamName}'s chat. It is not sent yet.`,
      '',
      'To finish it and send it, open this link:',
      c.chatUrl,
      '',
      `Please send it by ${dayInWords(c.closesOn)}.`,
      'Keep this email: anyone with the link can change the record.',
      ...signOff(c.orgName),
    ].join('\n'),
  };
}

/** Sent when a chat record is sent: what happens next, and the link to change it. */
export function chatReceivedEmail(c: ChatEmailContext & { followUpDays: number; pledges: number }): OutgoingEmail {
  const weeks = Math.round(c.followUpDays / 7);
  return {
    kind: 'team-chat-received',
    to: c.to,
    subject: `Thank you for your team chat: ${c.conversationTitle}`,
    text: [
      hello(c.leadName),
      '',
      `Thank you for sharing what ${c.teamName} said. Senior leaders will read it with what other teams said.`,
      ...(c.pledges
        ? [
            '',
            `You wrote down ${c.pledges} ${c.pledges === 1 ? 'step' : 'steps'} your team will take.`,
            `In about ${weeks} ${weeks === 1 ? 'week' : 'weeks'} we will email you to ask how ${c.pledges === 1 ? 'it' : 'they'} went.`,
          ]
        : []),
      '',
      'To change what you sent, open this link:',
      c.chatUrl,
      ...signOff(c.orgName),
    ].join('\n'),
  };
}

/** The follow-up, weeks after the chat: one question per step, answered through the link. */
export function pledgeFollowUpEmail(c: ChatEmailContext & { pledges: string[]; followUpUrl: string }): OutgoingEmail {
  return {
    kind: 'pledge-follow-up',
    to: c.to,
    subject: `How did your team's steps go? ${c.conversationTitle}`,
    text: [
      hello(c.leadName),
      '',
      `After your team chat, ${c.teamName} said it would:`,
      ...c.pledges.map((p) => `- ${p}`),
      '',
      'How did it go? For each step, tell us if it is done, started, not yet started, or dropped.',
      'It takes about 2 minutes:',
      c.followUpUrl,
      '',
      'There is no wrong answer. Knowing what got in the way helps as much as knowing what worked.',
      ...signOff(c.orgName),
    ].join('\n'),
  };
}
