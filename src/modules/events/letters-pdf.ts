import { formatDay } from '../../lib/dates.ts';
import { GREY, pdfWriter } from '../../lib/pdf.ts';

export interface LetterSession {
  title: string;
  when: string;
  where: string | null;
  status: string;
  waitlisted: boolean;
}

/** A plain confirmation letter, in large clear type, for someone who is written to rather than emailed. */
export function renderLetter(input: {
  from: string;
  to: { name: string; address: string | null };
  eventTitle: string;
  sessions: LetterSession[];
}): Promise<Buffer> {
  const w = pdfWriter({
    title: `Your booking: ${input.eventTitle}`,
    author: input.from,
    subject: `Booking confirmation for ${input.to.name}`,
    creator: 'Coproduce',
  });
  w.say(input.to.name, { size: 14 });
  for (const line of (input.to.address ?? '').split(/\r?\n|,\s*/).filter((l) => l.trim())) w.say(line.trim(), { size: 14 });
  w.doc.moveDown(1);
  w.say(formatDay(new Date()), { size: 14, after: 1 });
  w.say(`Your booking: ${input.eventTitle}`, { size: 20, bold: true, tag: 'H1', after: 0.5 });
  w.say(`Dear ${input.to.name},`, { size: 14, after: 0.5 });
  const waiting = input.sessions.some((s) => s.waitlisted);
  w.say(
    waiting
      ? 'Thank you for booking. Here is what you booked. Where you are on the waiting list, we will write to you if a place comes free.'
      : 'Thank you for booking. You have a place at:',
    { size: 14, after: 0.5 },
  );
  for (const s of input.sessions) {
    w.ensure(90);
    w.say(s.title, { size: 16, bold: true, tag: 'H2' });
    w.say(s.when, { size: 14 });
    if (s.where) w.say(s.where, { size: 14 });
    w.say(s.status, { size: 14, after: 0.5 });
  }
  w.say('If you cannot come, or need anything to take part, please phone us or write to us.', { size: 14, after: 0.5 });
  w.say(`From ${input.from}`, { size: 14, colour: GREY });
  w.doc.end();
  return w.done;
}
