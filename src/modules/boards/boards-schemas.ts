import { z } from 'zod';
import { ACCESS_NEEDS } from '../../db/schema.ts';
import {
  BOARD_ROLES,
  DECISION_KINDS,
  DECISION_STATUSES,
  MEETING_FORMATS,
  type BoardRole,
  type DecisionStatus,
} from '../../db/schema-boards.ts';
import { parseTime, fromLondon } from '../../lib/dates.ts';
import { uploadField } from '../../lib/upload-field.ts';
import { asList, blankToUndefined } from '../../lib/validation.ts';
import { londonDateTime, venueInputSchema } from '../events/events-schemas.ts';
import { isoDay } from '../programmes/programmes-schemas.ts';

const text = (max: number, label: string) =>
  z
    .string({ error: `${label} must be text` })
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
const required = (max: number, label: string, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
/** Meetings happen in living memory or the near future: a time outside 1900 to 2100 is a typing slip. */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2100;
const isoWithOffset = (missing: string) =>
  z.iso
    .datetime({ offset: true, error: missing })
    .transform((s) => new Date(s))
    .refine(
      (d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= EARLIEST_YEAR && d.getUTCFullYear() <= LATEST_YEAR,
      `Enter a time between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}`,
    );
const personId = (missing: string) => z.string({ error: missing }).min(1, missing).max(100, missing);
const httpsUrl = (label: string) =>
  z
    .url({ error: `Enter ${label} as a full web address, starting with https://` })
    .max(2000, `${label} must be 2,000 characters or fewer`)
    .refine((u) => u.startsWith('https://'), `${label} must start with https://`);

export const ROLE_LABELS: Record<BoardRole, string> = { co_chair: 'Co-chair', member: 'Member', adviser: 'Adviser' };
export const STATUS_LABELS: Record<DecisionStatus, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', dropped: 'Dropped' };
export const KIND_LABELS = { decision: 'Decision', action: 'Action' } as const;
export const MAX_AGENDA = 30;

/**
 * Where a decision or action may go next. Done and dropped are reopened (to open, with a note
 * saying why) and go nowhere else; moving to the status it already has is refused too.
 */
export const NEXT_STATUSES: Record<DecisionStatus, readonly DecisionStatus[]> = {
  open: ['in_progress', 'done', 'dropped'],
  in_progress: ['open', 'done', 'dropped'],
  done: ['open'],
  dropped: ['open'],
};

// ---- boards ---------------------------------------------------------------------------------
const boardFields = {
  name: required(200, 'The name', 'Enter the board’s name'),
  purpose: required(3000, 'The purpose', 'Say what the board is for'),
  easyReadPurpose: text(2000, 'The easy read purpose').optional(),
  livedTarget: z
    .number({ error: 'Enter the lived experience target as a number from 0 to 100' })
    .int('Enter a whole number from 0 to 100')
    .min(0, 'The target cannot be below 0%')
    .max(100, 'The target cannot be above 100%')
    .optional(),
  papersDaysBefore: z
    .number({ error: 'Enter how many days before a meeting the papers go out, as a number' })
    .int('Enter a whole number of days')
    // 0 is "on the day of the meeting": the papers go out from midnight (London) that day.
    .min(0, 'Enter 0 days or more')
    .max(60, 'Papers go out at most 60 days before a meeting')
    .optional(),
};
export const boardInputSchema = z.strictObject(boardFields);
export type BoardInput = z.infer<typeof boardInputSchema>;

const wholeNumber = (v: unknown) => {
  const s = blankToUndefined(v);
  if (s === undefined) return undefined;
  return /^\s*-?\d+\s*$/.test(String(s)) ? Number(s) : NaN;
};
export const boardFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  return {
    name: b.name,
    purpose: b.purpose,
    easyReadPurpose: blankToUndefined(b.easyReadPurpose),
    livedTarget: wholeNumber(b.livedTarget),
    papersDaysBefore: wholeNumber(b.papersDaysBefore),
  };
}, boardInputSchema);

// ---- members ---------------------------------------------------------------------------------
const memberFields = {
  personId: personId('Give the personId of the person to add'),
  role: z.enum(BOARD_ROLES, { error: 'The role must be co_chair, member or adviser' }),
  from: isoDay('Enter the day their term starts, as YYYY-MM-DD'),
  to: isoDay('Enter the day their term ends, as YYYY-MM-DD').optional(),
  shownPublicly: z.boolean({ error: 'shownPublicly is true or false' }).optional(),
};
const termInOrder = (v: { from?: unknown; to?: unknown }, ctx: z.RefinementCtx) => {
  if (typeof v.from === 'string' && typeof v.to === 'string' && v.to < v.from)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'The term must end on or after the day it starts' });
};
export const memberInputSchema = z.strictObject(memberFields).superRefine(termInOrder);
export type MemberInput = z.infer<typeof memberInputSchema>;

/** An nhsuk date input's three boxes as a day, or undefined when all are blank. */
export function dayFromBoxes(b: Record<string, unknown>, prefix: string): string | undefined {
  const [d = '', m = '', y = ''] = ['day', 'month', 'year'].map((k) => String(b[`${prefix}[${k}]`] ?? '').trim());
  if (!d && !m && !y) return undefined;
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export const memberFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      personId: b.personId,
      role: blankToUndefined(b.role),
      from: dayFromBoxes(b, 'from'),
      to: dayFromBoxes(b, 'to'),
      shownPublicly: b.shownPublicly === 'yes',
    };
  },
  z
    .strictObject({
      ...memberFields,
      role: z.enum(BOARD_ROLES, { error: 'Choose their role on the board' }),
      from: isoDay('Enter the day their term starts, like 1 4 2026'),
      to: isoDay('Enter the day their term ends, like 31 3 2028').optional(),
    })
    .superRefine(termInOrder),
);

export const endTermFormSchema = z.preprocess(
  (raw) => ({ to: dayFromBoxes((raw ?? {}) as Record<string, unknown>, 'to') }),
  z.strictObject({ to: isoDay('Enter the last day of their term, like 31 3 2028') }),
);

// ---- meetings -------------------------------------------------------------------------------
const agendaItemFields = {
  title: required(300, 'An agenda item', 'Give each agenda item a title'),
  easyRead: text(1000, 'The easy read line').optional(),
  paperUrl: httpsUrl('the link to the paper').optional(),
  paperEasyRead: z.boolean({ error: 'paperEasyRead is true or false' }).optional(),
};
export const agendaItemInputSchema = z.strictObject(agendaItemFields);
export type AgendaItemInput = z.infer<typeof agendaItemInputSchema>;

function endAfterStart(v: { startsAt?: unknown; endsAt?: unknown }, ctx: z.RefinementCtx) {
  if (!(v.startsAt instanceof Date) || !(v.endsAt instanceof Date)) return;
  if (v.endsAt.getTime() <= v.startsAt.getTime())
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The meeting must end after it starts' });
}
function placeFits(v: { format?: unknown; venue?: unknown; venueId?: unknown; joinUrl?: unknown }, ctx: z.RefinementCtx) {
  if (v.format !== 'online' && !v.venue && !v.venueId)
    ctx.addIssue({ code: 'custom', path: ['venue'], message: 'Choose or enter the venue for a meeting in person' });
  if (v.format !== 'in_person' && !v.joinUrl)
    ctx.addIssue({ code: 'custom', path: ['joinUrl'], message: 'Give the joining link for a meeting online' });
}

const meetingFields = {
  title: required(200, 'The title', 'Enter the meeting’s title'),
  startsAt: isoWithOffset('Enter when it starts, as an ISO 8601 time with an offset'),
  endsAt: isoWithOffset('Enter when it ends, as an ISO 8601 time with an offset'),
  format: z.enum(MEETING_FORMATS, { error: 'The format must be in_person, online or hybrid' }),
  venue: venueInputSchema.optional(),
  /** A venue already used (see GET /api/v1/venues is not in v1: the web form offers them). */
  venueId: z.string().max(100).optional(),
  joinUrl: httpsUrl('the joining link').optional(),
  agenda: z
    .array(agendaItemInputSchema, { error: 'Give the agenda as a list of items' })
    .max(MAX_AGENDA, `An agenda has at most ${MAX_AGENDA} items`)
    .optional(),
};
export const meetingInputSchema = z.strictObject(meetingFields).superRefine(endAfterStart).superRefine(placeFits);
export type MeetingInput = z.infer<typeof meetingInputSchema>;

const optionalString = (v: unknown) => blankToUndefined(typeof v === 'string' ? v : undefined) as string | undefined;

/** The staff form: a London date and two times, and a venue chosen from those used before or typed in. */
export const meetingFormSchema = z
  .record(z.string(), z.unknown())
  .transform((body, ctx) => {
    const startsAt = londonDateTime(body, 'date', 'startTime', ctx, 'meeting');
    const endTime = parseTime(String(body.endTime ?? ''));
    if (!endTime) ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'Enter the end time, like 12:30 or 4pm' });
    const endsAt =
      startsAt && endTime
        ? fromLondon(Number(body['date[year]']), Number(body['date[month]']), Number(body['date[day]']), endTime.hour, endTime.minute)
        : new Date(1);
    const chosen = optionalString(body.venueId);
    const venueName = optionalString(body.venueName);
    const facts = asList(body.venueFacts) as string[];
    return {
      title: String(body.title ?? ''),
      startsAt: (startsAt ?? new Date(0)).toISOString(),
      endsAt: endsAt.toISOString(),
      format: body.format,
      venueId: chosen && chosen !== 'new' ? chosen : undefined,
      venue:
        chosen === 'new' || (!chosen && venueName)
          ? {
              name: venueName ?? '',
              address: optionalString(body.venueAddress),
              postcode: optionalString(body.venuePostcode),
              stepFree: facts.includes('stepFree'),
              hearingLoop: facts.includes('hearingLoop'),
              accessibleToilet: facts.includes('accessibleToilet'),
              parking: optionalString(body.parking),
              publicTransport: optionalString(body.publicTransport),
            }
          : undefined,
      joinUrl: optionalString(body.joinUrl),
    } as z.input<typeof meetingInputSchema>;
  })
  .pipe(meetingInputSchema);

/** One agenda item from the staff form: a link or an uploaded PDF (not both). */
export const agendaItemFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      title: b.title,
      easyRead: blankToUndefined(b.easyRead),
      paperUrl: blankToUndefined(b.paperUrl),
      paperEasyRead: b.paperEasyRead === 'yes',
      paper: b.paper,
    };
  },
  z.strictObject({ ...agendaItemFields, paper: uploadField('the paper', 'pdf').optional() }).superRefine((v, ctx) => {
    if (v.paper && v.paperUrl) ctx.addIssue({ code: 'custom', path: ['paperUrl'], message: 'Give a link or upload a PDF, not both' });
  }),
);
export type AgendaItemForm = z.infer<typeof agendaItemFormSchema>;

// ---- replies, attendance, minutes --------------------------------------------------------------
const accessNeeds = z
  .array(z.enum(ACCESS_NEEDS, { error: 'Choose access needs from the list' }))
  .max(ACCESS_NEEDS.length)
  .optional();
export const replyFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { reply: blankToUndefined(b.reply), accessNeeds: asList(b.accessNeeds), accessNotes: blankToUndefined(b.accessNotes) };
  },
  z.strictObject({
    reply: z.enum(['coming', 'not_coming'], { error: 'Say if you are coming' }),
    accessNeeds,
    accessNotes: text(2000, 'Your notes').optional(),
  }),
);
export type ReplyInput = z.infer<typeof replyFormSchema>;

export const attendanceInputSchema = z.strictObject({
  personId: personId('Give the personId of the member'),
  attended: z.boolean({ error: 'attended is true or false' }),
});
export type AttendanceInput = z.infer<typeof attendanceInputSchema>;

/** Staff tick who came: every invited member is a box; unticked means they did not come. */
export const attendanceFormSchema = z.preprocess(
  (raw) => ({ came: asList(((raw ?? {}) as Record<string, unknown>).came) }),
  z.strictObject({ came: z.array(z.string().max(100)).max(500) }),
);

export const minutesFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      minutes: blankToUndefined(b.minutes),
      easyReadMinutes: blankToUndefined(b.easyReadMinutes),
      publish: b.publish === 'yes',
    };
  },
  z
    .strictObject({
      minutes: text(50_000, 'The minutes').optional(),
      easyReadMinutes: text(20_000, 'The easy read minutes').optional(),
      publish: z.boolean(),
    })
    .superRefine((v, ctx) => {
      if (v.publish && !v.minutes) ctx.addIssue({ code: 'custom', path: ['minutes'], message: 'Write the minutes before publishing them' });
    }),
);
export type MinutesInput = z.infer<typeof minutesFormSchema>;

// ---- decisions and actions ----------------------------------------------------------------------
const decisionFields = {
  kind: z.enum(DECISION_KINDS, { error: 'The kind must be decision or action' }).optional(),
  text: required(2000, 'The decision', 'Write down the decision or action'),
  easyRead: text(1000, 'The easy read line').optional(),
  owner: personId('Give the owner as a personId').optional(),
  due: isoDay('Enter the due date as YYYY-MM-DD').optional(),
  published: z.boolean({ error: 'published is true or false' }).optional(),
};
export const decisionInputSchema = z.strictObject(decisionFields);
export type DecisionInput = z.infer<typeof decisionInputSchema>;

export const decisionFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      kind: blankToUndefined(b.kind),
      text: b.text,
      easyRead: blankToUndefined(b.easyRead),
      owner: blankToUndefined(b.owner),
      due: dayFromBoxes(b, 'due'),
      published: b.published === 'yes',
    };
  },
  z.strictObject({
    ...decisionFields,
    kind: z.enum(DECISION_KINDS, { error: 'Choose decision or action' }),
    due: isoDay('Enter the due date, like 30 6 2026').optional(),
  }),
);

export const statusInputSchema = z.strictObject({
  status: z.enum(DECISION_STATUSES, { error: 'The status must be open, in_progress, done or dropped' }),
  note: required(2000, 'The note', 'Add a note to say what changed'),
});
export type StatusInput = z.infer<typeof statusInputSchema>;
export const statusFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  return { status: blankToUndefined(b.status), note: b.note };
}, statusInputSchema);

// ---- API output -------------------------------------------------------------------------------
const mixSchema = z.object({ lived: z.number().int(), professional: z.number().int(), both: z.number().int() });
export const boardOutSchema = z.object({
  id: z.string(),
  name: z.string(),
  purpose: z.string(),
  easyReadPurpose: z.string().nullable(),
  livedTarget: z.number().int(),
  papersDaysBefore: z.number().int(),
  published: z.boolean(),
  members: z.array(
    z.object({
      id: z.string(),
      personId: z.string(),
      name: z.string(),
      role: z.enum(BOARD_ROLES),
      experience: z.enum(['lived', 'professional', 'both']),
      from: z.string(),
      to: z.string().nullable(),
      current: z.boolean(),
      shownPublicly: z.boolean(),
    }),
  ),
  mix: mixSchema,
  coChairs: mixSchema,
  warnings: z.array(z.string()),
});
export const memberOutSchema = z.object({
  id: z.string(),
  boardId: z.string(),
  personId: z.string(),
  role: z.enum(BOARD_ROLES),
  from: z.string(),
  to: z.string().nullable(),
  shownPublicly: z.boolean(),
});
export const meetingOutSchema = z.object({
  id: z.string(),
  boardId: z.string(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  format: z.enum(MEETING_FORMATS),
  status: z.enum(['scheduled', 'cancelled']),
  venue: z
    .object({
      id: z.string(),
      name: z.string(),
      address: z.string().nullable(),
      postcode: z.string().nullable(),
      stepFree: z.boolean(),
      hearingLoop: z.boolean(),
      accessibleToilet: z.boolean(),
    })
    .nullable(),
  joinUrl: z.string().nullable(),
  papersSentAt: z.string().nullable(),
  agenda: z.array(
    z.object({
      id: z.string(),
      position: z.number().int(),
      title: z.string(),
      easyRead: z.string().nullable(),
      paperUrl: z.string().nullable(),
      hasPaperFile: z.boolean(),
      paperEasyRead: z.boolean(),
    }),
  ),
});
export const attendanceOutSchema = z.object({ meetingId: z.string(), personId: z.string(), attended: z.boolean() });
export const decisionOutSchema = z.object({
  id: z.string(),
  meetingId: z.string(),
  kind: z.enum(DECISION_KINDS),
  text: z.string(),
  easyRead: z.string().nullable(),
  owner: z.string().nullable(),
  due: z.string().nullable(),
  status: z.enum(DECISION_STATUSES),
  published: z.boolean(),
});
