import { dayInWords, formatRange } from '../../lib/dates.ts';
import type { OutgoingEmail } from '../email/mailer.ts';

const hello = (name: string) => `Hello ${name},`;
const signOff = (orgName: string) => ['', 'Thank you,', orgName];

export interface PapersEmailContext {
  to: string;
  name: string;
  boardName: string;
  meetingTitle: string;
  startsAt: Date;
  endsAt: Date;
  where: string;
  joinUrl: string | null;
  agenda: { title: string; easyRead: string | null; paperUrl: string | null; paperEasyRead: boolean }[];
  replyUrl: string;
  orgName: string;
}

/** The papers, sent to each member a set number of days before the meeting. */
export function papersEmail(c: PapersEmailContext): OutgoingEmail {
  return {
    kind: 'board-papers',
    to: c.to,
    subject: `Papers for ${c.meetingTitle} (${c.boardName})`,
    text: [
      hello(c.name),
      '',
      `Here are the papers for the next meeting of ${c.boardName}.`,
      '',
      `${c.meetingTitle}`,
      `When: ${formatRange(c.startsAt, c.endsAt)}`,
      `Where: ${c.where}`,
      ...(c.joinUrl ? [`Join online: ${c.joinUrl}`] : []),
      '',
      'The agenda:',
      ...c.agenda.flatMap((item, i) => [
        `${i + 1}. ${item.title}`,
        ...(item.easyRead ? [`   In easy read: ${item.easyRead}`] : []),
        ...(item.paperUrl ? [`   The paper${item.paperEasyRead ? ' (easy read)' : ''}: ${item.paperUrl}`] : []),
      ]),
      '',
      'Please tell us if you are coming, and anything you need to take part (for example a hearing loop or an easy read version):',
      c.replyUrl,
      '',
      'Keep this email to yourself: its links are yours.',
      ...signOff(c.orgName),
    ].join('\n'),
  };
}

export interface ReminderEmailContext {
  to: string;
  name: string;
  boardName: string;
  text: string;
  dueOn: string;
  url: string;
  orgName: string;
}

/** Three days before an action is due, to its owner. */
export function actionReminderEmail(c: ReminderEmailContext): OutgoingEmail {
  return {
    kind: 'board-action-reminder',
    to: c.to,
    subject: `Reminder: an action for ${c.boardName} is due on ${dayInWords(c.dueOn)}`,
    text: [
      hello(c.name),
      '',
      `At a meeting of ${c.boardName} you agreed to take this action:`,
      '',
      c.text,
      '',
      `It is due on ${dayInWords(c.dueOn)}.`,
      'When it is done, or if something has changed, tell the board here:',
      c.url,
      ...signOff(c.orgName),
    ].join('\n'),
  };
}
