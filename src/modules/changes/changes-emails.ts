import type { ChangeStatus } from '../../db/schema.ts';
import type { OutgoingEmail } from '../email/mailer.ts';
import { STATUS_IN_WORDS } from './changes-schemas.ts';

export interface ChangeEmailContext {
  to: string;
  name: string;
  youSaid: string;
  weDid: string;
  status: ChangeStatus;
  /** Why this person: "you answered the feedback form “How was the day?”". */
  why: string;
  pageUrl: string;
  consentsUrl: string;
  orgName: string;
}

const short = (text: string, max = 70) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max).replace(/\s+\S*$/, '')}…`;
};

/** Sent once, when an entry is first published, to each person who took part in its source and agreed to be contacted. */
export function changePublishedEmail(c: ChangeEmailContext): OutgoingEmail {
  return {
    kind: 'change-published',
    to: c.to,
    subject: `You said, we did: ${short(c.weDid)}`,
    text: [
      `Hello ${c.name},`,
      '',
      'You helped us see what could be better. Here is what changed because of what people said.',
      '',
      'You said:',
      c.youSaid,
      '',
      'We did:',
      c.weDid,
      '',
      `Where it is now: ${STATUS_IN_WORDS[c.status]}.`,
      '',
      'See this and other changes:',
      c.pageUrl,
      '',
      `Why you are getting this email: ${c.why}, and you told us we may contact you.`,
      'We send this once for each change. To stop emails like this, sign in and withdraw "Contact" here:',
      c.consentsUrl,
      '',
      'Thank you,',
      c.orgName,
    ].join('\n'),
  };
}
