import { londonParts } from '../../lib/dates.ts';

/** The Europe/London zone as calendars expect it (GMT in winter, BST from the last Sunday of March). */
const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19810329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19961027T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const pad = (n: number) => String(n).padStart(2, '0');
const local = (d: Date) => {
  const p = londonParts(d);
  return `${p.year}${pad(p.month)}${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
};
const utc = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** RFC 5545 text: backslash, semicolon, comma and newline escaped. */
const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Lines longer than 75 octets are folded, without splitting a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export interface CalendarEntry {
  uid: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  location: string;
  url?: string | null;
  cancelled?: boolean;
  sequence?: number;
  stamp?: Date;
}

/** One calendar file: one entry, or several (every session of a booking) under one VCALENDAR. */
export function buildCalendar(entries: CalendarEntry | CalendarEntry[]): string {
  const list = Array.isArray(entries) ? entries : [entries];
  const cancelled = list.length > 0 && list.every((e) => e.cancelled);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Coproduce//Events//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${cancelled ? 'CANCEL' : 'PUBLISH'}`,
    ...LONDON_VTIMEZONE,
    ...list.flatMap((entry) => [
      'BEGIN:VEVENT',
      `UID:${entry.uid}`,
      `DTSTAMP:${utc(entry.stamp ?? new Date())}`,
      `DTSTART;TZID=Europe/London:${local(entry.startsAt)}`,
      `DTEND;TZID=Europe/London:${local(entry.endsAt)}`,
      `SUMMARY:${escape(entry.title)}`,
      `DESCRIPTION:${escape(entry.description)}`,
      `LOCATION:${escape(entry.location)}`,
      ...(entry.url ? [`URL:${entry.url}`] : []),
      `STATUS:${entry.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      `SEQUENCE:${entry.sequence ?? 0}`,
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
