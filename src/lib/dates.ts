/** Dates and times as people in the UK read and type them: Europe/London, whatever the server's zone. */
export const ZONE = 'Europe/London';

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Intl formatting is slow next to everything else on a page, and pages show the same few
 * instants again and again (a programme's sessions), so results are remembered, within bounds.
 */
function memo<T>(fn: (d: Date) => T, size = 5000): (d: Date) => T {
  const cache = new Map<number, T>();
  return (d: Date) => {
    const key = d.getTime();
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= size) cache.clear();
      value = fn(d);
      cache.set(key, value);
    }
    return value;
  };
}

/** The wall-clock time in London at an instant. */
export const londonParts = memo((d: Date): LocalParts => {
  const p = Object.fromEntries(partsFormatter.formatToParts(d).map((x) => [x.type, x.value]));
  return { year: +p.year!, month: +p.month!, day: +p.day!, hour: +p.hour!, minute: +p.minute!, second: +p.second! };
});

/** The instant at which London's clocks show this time (the later one if it happens twice). */
export function fromLondon(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = londonParts(new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    if (shown === wanted) break;
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** A London calendar day as "2026-07-06", for grouping sessions by day. */
export function londonDay(d: Date): string {
  const p = londonParts(d);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });

/** "Monday 6 July 2026" */
export const formatDay = memo((d: Date) => dayFormat.format(d));
/** "2:30pm" (the NHS style for times) */
export const formatTime = memo((d: Date) => timeFormat.format(d).replace(/\s/g, '').replace(':00', '').toLowerCase());

export function formatRange(start: Date, end: Date): string {
  if (londonDay(start) === londonDay(end)) return `${formatDay(start)}, ${formatTime(start)} to ${formatTime(end)}`;
  return `${formatDay(start)} to ${formatDay(end)}`;
}

/** Parses "14:30", "2:30pm", "9am" into hours and minutes, or null. */
export function parseTime(text: string): { hour: number; minute: number } | null {
  const m = /^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$/i.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  const half = m[3]?.toLowerCase();
  if (minute > 59) return null;
  if (half) {
    if (hour < 1 || hour > 12) return null;
    if (half === 'pm' && hour !== 12) hour += 12;
    if (half === 'am' && hour === 12) hour = 0;
  } else if (hour > 23 || m[2] === undefined) {
    return null;
  }
  return { hour, minute };
}

const longDay = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "2027-03-31" as "31 March 2027"; anything that is not a date is shown as it came. */
export function dayInWords(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : longDay.format(d);
}
