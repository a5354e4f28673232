import { dayInWords, formatDay, formatTime } from '../../lib/dates.ts';

/**
 * "Your data" for a person to read: the same object as the JSON download (every module's
 * personal-data export), laid out as headings per kind of data, with plain labels and dates in
 * words. Nothing is chosen or left out here: every key of the export becomes a section, and every
 * field of every record a line, so the readable page can never hold less than the download.
 */
export interface ReadableRow {
  label: string;
  /** One line, or several (a list, or the fields of a nested record). */
  lines: string[];
}
export interface ReadableItem {
  rows: ReadableRow[];
}
export interface ReadableSection {
  key: string;
  heading: string;
  items: ReadableItem[];
  /** Shown when the section holds nothing. */
  empty: string | null;
}
export interface ReadableData {
  exportedAt: string;
  sections: ReadableSection[];
}

/** Plain headings for each kind of data; a key not listed gets a heading made from its name. */
const HEADINGS: Record<string, string> = {
  person: 'Your details',
  emailWaitingForConfirmation: 'A new email address waiting for you to confirm it',
  erasureRequestedAt: 'When you asked us to delete your data',
  consents: 'What you agreed to',
  activity: 'What was done with your record',
  signInLinks: 'Sign-in links we sent you',
  sessions: 'Times you were signed in',
  apiTokens: 'Keys for the API',
  registrations: 'Your event bookings',
  facilitating: 'Sessions you lead',
  responses: 'Your answers to forms',
  invitations: 'Forms you were asked to answer',
  anonymousAnswers: 'Anonymous answers',
  applications: 'Your applications to programmes',
  attendance: 'Programme sessions and whether you came',
  coaching: 'Your coaching sessions',
  projects: 'Projects you are part of',
  projectUpdates: 'Project updates you wrote',
  certificates: 'Your certificates',
  teamChatsLed: 'Team chats you led',
  stories: 'Your stories',
  storyEmailsWithoutAStory: 'Emails you sent us that did not become a story',
  boardMemberships: 'Boards you sit on',
  boardMeetings: 'Board meetings',
  boardActionsYouOwn: 'Board actions you own',
  boardActionNotesYouWrote: 'Notes you wrote on board actions',
  youSaidWeDidWritten: '"You said, we did" entries you wrote',
  claims: 'Your claims for payment and expenses',
};

/** Plain labels for field names that do not read well as they are. */
const LABELS: Record<string, string> = {
  id: 'Reference',
  at: 'When',
  byThem: 'Done by you',
  labelName: 'Name for your label',
  accessNeeds: 'Access needs',
  accessNotes: 'Notes about access',
  contactPreference: 'Best way to contact you',
  postalAddress: 'Postal address',
  createdAt: 'Added',
  updatedAt: 'Last changed',
  startsAt: 'Starts',
  endsAt: 'Ends',
  bio: 'About you',
  url: 'Web address',
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** "accessNeeds" as "Access needs"; "youSaidWeDid" as "You said we did". */
export function labelFor(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A date and time in words, London time: "Monday 6 July 2026 at 2:30pm". */
export function whenInWords(d: Date): string {
  return `${formatDay(d)} at ${formatTime(d)}`;
}

/**
 * Fields whose values are the product's own codes ("step_free", "person.signed_in"), read as
 * words. Only these: a person's own words ("jo.bloggs", "nhs.uk") are shown as they wrote them.
 */
export const CODE_FIELDS: ReadonlySet<string> = new Set([
  'accessNeeds',
  'action',
  'activity',
  'contactPreference',
  'decision',
  'experience',
  'format',
  'kind',
  'payAs',
  'role',
  'sector',
  'sourceType',
  'status',
  'type',
  'unit',
]);
const isRealDay = (iso: string) =>
  !Number.isNaN(Date.parse(`${iso}T12:00:00Z`)) && new Date(`${iso}T12:00:00Z`).toISOString().startsWith(iso);

/** One value as text: dates in words, yes or no, and "None" for nothing; `field` says whether it is a code. */
export function valueInWords(value: unknown, field?: string): string {
  if (value === null || value === undefined || value === '') return 'None';
  if (value instanceof Date) return whenInWords(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') {
    if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) return whenInWords(new Date(value));
    if (ISO_DAY.test(value) && isRealDay(value)) return dayInWords(value);
    if (field && CODE_FIELDS.has(field) && /^[a-z]+([._][a-z]+)*$/.test(value)) return value.replace(/[._]/g, ' ');
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The lines of one value: a list is a line per entry, a record a line per field. */
function linesOf(value: unknown, field?: string): string[] {
  if (Array.isArray(value)) {
    if (!value.length) return ['None'];
    return value.flatMap((v) => (isRecord(v) ? [recordInOneLine(v)] : linesOf(v, field)));
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return ['None'];
    return entries.map(([k, v]) => `${labelFor(k)}: ${isRecord(v) || Array.isArray(v) ? linesOf(v, k).join('; ') : valueInWords(v, k)}`);
  }
  return [valueInWords(value, field)];
}

function recordInOneLine(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([k, v]) => `${labelFor(k)}: ${isRecord(v) || Array.isArray(v) ? linesOf(v, k).join(', ') : valueInWords(v, k)}`)
    .join('; ');
}

function itemOf(record: Record<string, unknown>): ReadableItem {
  return { rows: Object.entries(record).map(([k, v]) => ({ label: labelFor(k), lines: linesOf(v, k) })) };
}

/** The download as sections to read; `exportedAt` becomes the date at the top. */
export function readableData(exported: Record<string, unknown>): ReadableData {
  const { exportedAt, ...rest } = exported;
  const sections: ReadableSection[] = Object.entries(rest).map(([key, value]) => {
    const heading = HEADINGS[key] ?? labelFor(key);
    if (Array.isArray(value)) {
      const items = value.map((v) => (isRecord(v) ? itemOf(v) : { rows: [{ label: 'Entry', lines: linesOf(v, key) }] }));
      return { key, heading, items, empty: items.length ? null : 'Nothing held.' };
    }
    if (isRecord(value)) {
      const item = itemOf(value);
      return { key, heading, items: item.rows.length ? [item] : [], empty: item.rows.length ? null : 'Nothing held.' };
    }
    if (value === null || value === undefined || value === '') return { key, heading, items: [], empty: 'Nothing held.' };
    return { key, heading, items: [{ rows: [{ label: heading, lines: [valueInWords(value, key)] }] }], empty: null };
  });
  return { exportedAt: valueInWords(exportedAt ?? new Date()), sections };
}
