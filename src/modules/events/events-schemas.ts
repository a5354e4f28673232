import { z } from 'zod';
import { SESSION_FORMATS, SESSION_KINDS } from '../../db/schema.ts';
import { fromLondon, parseTime } from '../../lib/dates.ts';
import { asList, blankToUndefined, lines } from '../../lib/validation.ts';
import { personInputSchema } from '../people/people-schemas.ts';

const text = (max: number, label: string) => z.string().trim().max(max, `${label} must be ${max} characters or fewer`);
const required = (max: number, label: string, missing: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `${label} must be ${max} characters or fewer`);
const isoWithOffset = (missing: string) => z.iso.datetime({ offset: true, error: missing }).transform((s) => new Date(s));

function endAfterStart(v: { startsAt: Date; endsAt: Date }, ctx: z.RefinementCtx) {
  // Object checks run even when a field already failed; only compare two real dates.
  if (!(v.startsAt instanceof Date) || !(v.endsAt instanceof Date)) return;
  if (v.endsAt.getTime() <= v.startsAt.getTime())
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The end must be after the start' });
}

export const eventInputSchema = z
  .strictObject({
    title: required(200, 'Title', 'Enter a title'),
    summary: required(1000, 'Summary', 'Enter a short summary'),
    easyReadSummary: text(2000, 'Easy read summary').optional(),
    description: text(20_000, 'Description').optional(),
    startsAt: isoWithOffset('Enter when it starts, as an ISO 8601 time with an offset'),
    endsAt: isoWithOffset('Enter when it ends, as an ISO 8601 time with an offset'),
    hashtag: z
      .string()
      .trim()
      .regex(/^#?[A-Za-z0-9_]{1,60}$/, 'A hashtag has only letters, numbers and underscores, like #PatientsasPartners16')
      .transform((h) => (h.startsWith('#') ? h : `#${h}`))
      .optional(),
    partners: z.array(text(200, 'A partner name').min(1)).max(30, 'List at most 30 partners').optional(),
  })
  .superRefine(endAfterStart);
export type EventInput = z.infer<typeof eventInputSchema>;

export const venueInputSchema = z.strictObject({
  name: required(200, 'Venue name', 'Enter the venue name'),
  address: text(500, 'Address').optional(),
  postcode: text(10, 'Postcode').optional(),
  stepFree: z.boolean().default(false),
  hearingLoop: z.boolean().default(false),
  accessibleToilet: z.boolean().default(false),
  parking: text(500, 'Parking').optional(),
  publicTransport: text(500, 'Public transport').optional(),
});
export type VenueInput = z.infer<typeof venueInputSchema>;

export const sessionInputSchema = z
  .strictObject({
    title: required(200, 'Title', 'Enter a title'),
    description: text(5000, 'Description').optional(),
    easyReadDescription: text(2000, 'Easy read description').optional(),
    theme: text(100, 'Theme').optional(),
    startsAt: isoWithOffset('Enter when it starts, as an ISO 8601 time with an offset'),
    endsAt: isoWithOffset('Enter when it ends, as an ISO 8601 time with an offset'),
    format: z.enum(SESSION_FORMATS, { error: 'Choose in person, online or hybrid' }),
    capacity: z
      .number({ error: 'Enter how many places there are, as a number' })
      .int('Enter a whole number of places')
      .min(1, 'There must be at least 1 place')
      .max(100_000, 'There can be at most 100,000 places'),
    venue: venueInputSchema.optional(),
    /** A venue already known, chosen from the list, instead of typing one again. */
    venueId: z.string().max(40).optional(),
    joinUrl: z
      .url({ error: 'Enter the joining link as a full web address' })
      .max(2000)
      .refine((u) => u.startsWith('https://'), 'The joining link must start with https://')
      .optional(),
    facilitatorIds: z.array(z.string()).max(20).optional(),
    // Cohort sessions: a workshop day counts towards graduation, a catch-up does not.
    kind: z.enum(SESSION_KINDS, { error: 'The kind must be workshop, catch_up or session' }).optional(),
    /** Everyone at the event comes (a plenary, a reflection): booked with any booking, and "just the day". */
    forEveryone: z.boolean({ error: 'forEveryone must be true or false' }).optional(),
  })
  .superRefine(endAfterStart)
  .superRefine((v, ctx) => {
    if (v.format !== 'online' && !v.venue && !v.venueId)
      ctx.addIssue({ code: 'custom', path: ['venue'], message: 'Give the venue for an in-person or hybrid session' });
    if (v.format !== 'in_person' && !v.joinUrl)
      ctx.addIssue({ code: 'custom', path: ['joinUrl'], message: 'Give the joining link for an online or hybrid session' });
  });
export type SessionInput = z.infer<typeof sessionInputSchema>;

/** Register an existing person, or someone new (API and staff). */
const registrationExtras = {
  labelName: text(60, 'The name for a label').optional(),
  accessNeeds: personInputSchema.shape.accessNeeds,
  accessNotes: text(2000, 'Notes about access needs').optional(),
};
export const registrationInputSchema = z.union([
  z.strictObject({ personId: z.string({ error: 'Give personId or person' }), ...registrationExtras }),
  z.strictObject({ person: personInputSchema, ...registrationExtras }),
]);
export type RegistrationInput = z.infer<typeof registrationInputSchema>;

// ---- HTML forms: strings in, the same shapes out -------------------------------------------

/** A London date typed in an nhsuk date input (`<prefix>[day]` …) and a time field, as one instant. */
export function londonDateTime(
  body: Record<string, unknown>,
  datePrefix: string,
  timeField: string,
  ctx: z.RefinementCtx,
  label: string,
): Date | null {
  const day = Number(body[`${datePrefix}[day]`]);
  const month = Number(body[`${datePrefix}[month]`]);
  const year = Number(body[`${datePrefix}[year]`]);
  const valid =
    Number.isInteger(day) &&
    Number.isInteger(month) &&
    Number.isInteger(year) &&
    year >= 2000 &&
    year <= 2100 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31;
  const probe = valid ? new Date(Date.UTC(year, month - 1, day)) : null;
  if (!probe || probe.getUTCDate() !== day) {
    ctx.addIssue({ code: 'custom', path: [datePrefix], message: `Enter the ${label} date, like 6 7 2026` });
    return null;
  }
  const time = parseTime(String(body[timeField] ?? ''));
  if (!time) {
    ctx.addIssue({ code: 'custom', path: [timeField], message: `Enter the ${label} time, like 10:00 or 2:30pm` });
    return null;
  }
  return fromLondon(year, month, day, time.hour, time.minute);
}

const optionalString = (v: unknown) => blankToUndefined(typeof v === 'string' ? v : undefined) as string | undefined;

export const eventFormSchema = z
  .record(z.string(), z.unknown())
  .transform((body, ctx) => {
    const startsAt = londonDateTime(body, 'start', 'startTime', ctx, 'start');
    const endsAt = londonDateTime(body, 'end', 'endTime', ctx, 'end');
    return {
      title: String(body.title ?? ''),
      summary: String(body.summary ?? ''),
      easyReadSummary: optionalString(body.easyReadSummary),
      description: optionalString(body.description),
      hashtag: optionalString(body.hashtag),
      partners: lines(body.partners),
      startsAt: (startsAt ?? new Date(0)).toISOString(),
      endsAt: (endsAt ?? new Date(0)).toISOString(),
    } as z.input<typeof eventInputSchema>;
  })
  .pipe(eventInputSchema);

/** Someone new to lead a session, added from the session form without leaving it. */
export const newLeaderSchema = z.object({
  name: required(200, 'Their name', 'Enter the new session leader’s name'),
  email: z.email({ error: 'Enter the new session leader’s email address in the correct format, like name@example.com' }).max(254),
  experience: personInputSchema.shape.experience,
});
export type NewLeader = z.infer<typeof newLeaderSchema>;

/** The new leader typed on a session form, or null when those fields were left empty. */
export function newLeaderFrom(body: unknown): Record<string, unknown> | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const name = optionalString(b.newLeaderName);
  const email = optionalString(b.newLeaderEmail);
  if (!name && !email) return null;
  return { name: name ?? '', email: email ?? '', experience: b.newLeaderExperience };
}

const LEADER_FIELDS: Record<string, string> = { name: 'newLeaderName', email: 'newLeaderEmail', experience: 'newLeaderExperience' };

const sessionFieldsSchema = z
  .record(z.string(), z.unknown())
  .transform((body, ctx) => {
    const startsAt = londonDateTime(body, 'date', 'startTime', ctx, 'start');
    const endTime = parseTime(String(body.endTime ?? ''));
    if (!endTime) ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'Enter the end time, like 12:30 or 4pm' });
    const endsAt =
      startsAt && endTime
        ? fromLondon(Number(body['date[year]']), Number(body['date[month]']), Number(body['date[day]']), endTime.hour, endTime.minute)
        : new Date(0);
    const capacityText = String(body.capacity ?? '').trim();
    const chosenVenue = optionalString(body.venueId);
    const venueId = chosenVenue && chosenVenue !== 'new' ? chosenVenue : undefined;
    const venueName = venueId ? undefined : optionalString(body.venueName);
    const facts = asList(body.venueFacts) as string[];
    const tick = (k: string) => facts.includes(k);
    return {
      title: String(body.title ?? ''),
      description: optionalString(body.description),
      easyReadDescription: optionalString(body.easyReadDescription),
      theme: optionalString(body.theme),
      startsAt: (startsAt ?? new Date(0)).toISOString(),
      endsAt: endsAt.toISOString(),
      format: body.format,
      capacity: /^\d+$/.test(capacityText) ? Number(capacityText) : capacityText === '' ? undefined : NaN,
      venueId,
      venue:
        !venueId && (venueName || optionalString(body.venueAddress))
          ? {
              name: venueName ?? '',
              address: optionalString(body.venueAddress),
              postcode: optionalString(body.venuePostcode),
              stepFree: tick('stepFree'),
              hearingLoop: tick('hearingLoop'),
              accessibleToilet: tick('accessibleToilet'),
              parking: optionalString(body.parking),
              publicTransport: optionalString(body.publicTransport),
            }
          : undefined,
      joinUrl: optionalString(body.joinUrl),
      facilitatorIds: asList(body.facilitatorIds) as string[],
      kind: optionalString(body.kind),
      forEveryone: (asList(body.forEveryone) as string[]).includes('yes'),
    } as z.input<typeof sessionInputSchema>;
  })
  .pipe(sessionInputSchema);

/** What a person fills in to register: the sessions, the name for their label, access needs. */
export const registerFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      sessionIds: asList(b.sessionIds),
      labelName: blankToUndefined(b.labelName),
      accessNeeds: asList(b.accessNeeds),
      accessNotes: blankToUndefined(b.accessNotes),
    };
  },
  z.strictObject({
    sessionIds: z.array(z.string()).min(1, 'Choose at least one session').max(100),
    labelName: registrationExtras.labelName,
    accessNeeds: registrationExtras.accessNeeds,
    accessNotes: registrationExtras.accessNotes,
  }),
);

/** Someone not signed in registers with their name and email. */
export const publicRegisterFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return {
      name: b.name,
      email: blankToUndefined(b.email),
      experience: b.experience,
      sessionIds: asList(b.sessionIds),
      labelName: blankToUndefined(b.labelName),
      pronouns: blankToUndefined(b.pronouns),
      accessNeeds: asList(b.accessNeeds),
      accessNotes: blankToUndefined(b.accessNotes),
    };
  },
  z.strictObject({
    name: required(200, 'Name', 'Enter your name'),
    email: z.email({ error: 'Enter an email address in the correct format, like name@example.com' }).max(254),
    experience: personInputSchema.shape.experience,
    sessionIds: z.array(z.string()).min(1, 'Choose at least one session').max(100),
    labelName: registrationExtras.labelName,
    pronouns: text(40, 'Pronouns').optional(),
    accessNeeds: registrationExtras.accessNeeds,
    accessNotes: registrationExtras.accessNotes,
  }),
);

export const walkInFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { name: b.name, experience: b.experience, sessionId: b.sessionId, labelName: blankToUndefined(b.labelName) };
  },
  z.strictObject({
    name: required(200, 'Name', 'Enter their name'),
    experience: personInputSchema.shape.experience,
    sessionId: z.string({ error: 'Choose a session' }).min(1, 'Choose a session'),
    labelName: registrationExtras.labelName,
  }),
);

// What the Events API gives back.
export const eventOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  easyReadSummary: z.string().nullable(),
  description: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  hashtag: z.string().nullable(),
  partners: z.array(z.string()),
  status: z.enum(['draft', 'published', 'cancelled']),
});

export const sessionOutSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  format: z.enum(['in_person', 'online', 'hybrid']),
  theme: z.string().nullable(),
  capacity: z.number().int(),
  confirmed: z.number().int(),
  waitlisted: z.number().int(),
  attended: z.number().int(),
  status: z.enum(['scheduled', 'cancelled']),
  joinUrl: z.string().nullable(),
  venue: z
    .object({
      name: z.string(),
      address: z.string().nullable(),
      postcode: z.string().nullable(),
      stepFree: z.boolean(),
      hearingLoop: z.boolean(),
      accessibleToilet: z.boolean(),
    })
    .nullable(),
  facilitatorIds: z.array(z.string()),
  forEveryone: z.boolean(),
});

export const registrationOutSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  personId: z.string(),
  status: z.enum(['confirmed', 'waitlisted', 'cancelled', 'attended']),
  waitlistPosition: z.number().int().nullable(),
  createdAt: z.string(),
});

// Where each field sits on the session form, so the error summary lists mistakes in page order.
const SESSION_FORM_ORDER = [
  'title',
  'description',
  'easyReadDescription',
  'theme',
  'date',
  'startsAt',
  'startTime',
  'endTime',
  'endsAt',
  'kind',
  'format',
  'capacity',
  'joinUrl',
  'venue',
  'venueId',
  'facilitatorIds',
  'newLeaderName',
  'newLeaderEmail',
  'newLeaderExperience',
];

/**
 * The session form: every mistake at once (the session's fields and a new leader's), in page
 * order, rather than the date's first and the rest on a second try.
 */
export const sessionFormSchema = z
  .record(z.string(), z.unknown())
  .superRefine((body, ctx) => {
    const issues: { path: PropertyKey[]; message: string }[] = [];
    const fields = sessionFieldsSchema.safeParse(body);
    if (!fields.success) issues.push(...fields.error.issues);
    const typed = newLeaderFrom(body);
    const leader = typed ? newLeaderSchema.safeParse(typed) : null;
    if (leader && !leader.success)
      issues.push(...leader.error.issues.map((i) => ({ ...i, path: [LEADER_FIELDS[String(i.path[0])] ?? 'newLeaderName'] })));
    const rank = (i: { path: PropertyKey[] }) => {
      const r = SESSION_FORM_ORDER.indexOf(String(i.path[0]));
      return r < 0 ? SESSION_FORM_ORDER.length : r;
    };
    for (const i of issues.sort((a, b) => rank(a) - rank(b))) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  })
  .transform((body) => sessionFieldsSchema.parse(body));
