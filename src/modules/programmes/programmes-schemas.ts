import { z } from 'zod';
import { APPLICATION_STATUSES, SHOWN_AS } from '../../db/schema.ts';
import { asList, blankToUndefined, lines } from '../../lib/validation.ts';
import { londonDateTime } from '../events/events-schemas.ts';
import { normalisePersonForm, personInputSchema } from '../people/people-schemas.ts';

const text = (max: number, label: string) => z.string().trim().max(max, `${label} must be ${max} characters or fewer`);
const required = (max: number, label: string, missing: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `${label} must be ${max} characters or fewer`);
const places = (label: string) =>
  z
    .number({ error: `Enter ${label} as a number` })
    .int(`Enter a whole number for ${label}`)
    .min(1, `There must be at least 1 place`)
    .max(1000, 'There can be at most 1,000 places');

/** A calendar day, YYYY-MM-DD, that really exists. */
export const isoDay = (missing: string) =>
  z
    .string({ error: missing })
    .regex(/^\d{4}-\d{2}-\d{2}$/, missing)
    .refine((d) => {
      const t = new Date(`${d}T00:00:00Z`);
      // Before 1900 is a typing mistake here, and year 0 is a day PostgreSQL does not have.
      return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d) && d >= '1900-01-01';
    }, missing);

export const programmeInputSchema = z.strictObject({
  title: required(200, 'Title', 'Enter a title'),
  summary: required(2000, 'Summary', 'Enter a short summary'),
  easyReadSummary: text(2000, 'Easy read summary').optional(),
  whoFor: text(1000, 'Who it is for').optional(),
  placesPerCohort: places('the places per cohort'),
  partners: z.array(text(200, 'A partner name').min(1)).max(30, 'List at most 30 partners').optional(),
  mixTarget: z
    .strictObject({
      livedMinShare: z
        .number({ error: 'livedMinShare is a share from 0 to 1, like 0.5' })
        .min(0, 'livedMinShare is at least 0')
        .max(1, 'livedMinShare is at most 1'),
    })
    .optional(),
  trackedQuestionKeys: z.array(z.string().max(40)).max(10, 'Track at most 10 questions').optional(),
  graduationRule: z
    .strictObject({
      minSessionsAttended: z.number({ error: 'minSessionsAttended is a number' }).int().min(0).max(100),
      projectRequired: z.boolean({ error: 'projectRequired is true or false' }),
    })
    .optional(),
  applicationFormId: z.string().optional(),
});
export type ProgrammeInput = z.infer<typeof programmeInputSchema>;

export const cohortInputSchema = z
  .strictObject({
    name: required(200, 'Name', 'Enter a name for the cohort'),
    startsOn: isoDay('Enter the start date as YYYY-MM-DD'),
    endsOn: isoDay('Enter the end date as YYYY-MM-DD'),
    places: places('the places').optional(),
    applicationsOpen: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (typeof v.startsOn === 'string' && typeof v.endsOn === 'string' && v.endsOn < v.startsOn)
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'The end date must be on or after the start date' });
  });
export type CohortInput = z.infer<typeof cohortInputSchema>;

const applicationExtras = {
  answers: z.record(z.string(), z.unknown()).optional(),
  helpedBy: text(200, 'Who helped').optional(),
};
export const applicationInputSchema = z.union([
  z.strictObject({ personId: z.string({ error: 'Give personId or person' }), ...applicationExtras }),
  z.strictObject({ person: personInputSchema, ...applicationExtras }),
]);
export type ApplicationInput = z.infer<typeof applicationInputSchema>;

export const statusChangeSchema = z.strictObject({
  status: z.enum(APPLICATION_STATUSES, { error: `The status must be one of: ${APPLICATION_STATUSES.join(', ')}` }),
});

export const attendanceInputSchema = z.strictObject({
  personId: z.string({ error: 'Give the personId' }),
  attended: z.boolean({ error: 'attended is true or false' }),
});

export const revokeInputSchema = z.strictObject({
  reason: required(500, 'The reason', 'Say why the certificate is revoked'),
});

// ---- HTML forms ------------------------------------------------------------------------------

const numberFrom = (v: unknown) => {
  const t = String(v ?? '').trim();
  return t === '' ? undefined : /^\d+$/.test(t) ? Number(t) : NaN;
};

export const programmeFormSchema = z
  .record(z.string(), z.unknown())
  .transform((b) => {
    const percent = numberFrom(b.livedMinPercent);
    const min = numberFrom(b.minSessionsAttended);
    return {
      title: String(b.title ?? ''),
      summary: String(b.summary ?? ''),
      easyReadSummary: blankToUndefined(b.easyReadSummary),
      whoFor: blankToUndefined(b.whoFor),
      placesPerCohort: numberFrom(b.placesPerCohort),
      partners: lines(b.partners),
      mixTarget: percent === undefined ? undefined : { livedMinShare: Number.isNaN(percent) ? NaN : percent / 100 },
      trackedQuestionKeys: asList(b.trackedQuestionKeys),
      graduationRule: { minSessionsAttended: min ?? 0, projectRequired: b.projectRequired === 'yes' },
      applicationFormId: blankToUndefined(b.applicationFormId),
    } as z.input<typeof programmeInputSchema>;
  })
  .pipe(programmeInputSchema);

function dayFromParts(b: Record<string, unknown>, prefix: string): string {
  const [d, m, y] = ['day', 'month', 'year'].map((k) => String(b[`${prefix}[${k}]`] ?? '').trim());
  if (!/^\d{1,2}$/.test(d!) || !/^\d{1,2}$/.test(m!) || !/^\d{4}$/.test(y!)) return '';
  return `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
}

export const cohortFormSchema = z
  .record(z.string(), z.unknown())
  .transform(
    (b) =>
      ({
        name: String(b.name ?? ''),
        startsOn: dayFromParts(b, 'startsOn'),
        endsOn: dayFromParts(b, 'endsOn'),
        places: numberFrom(b.places),
        applicationsOpen: b.applicationsOpen === 'yes',
      }) as z.input<typeof cohortInputSchema>,
  )
  .pipe(cohortInputSchema);

/** Someone applying on the web: their details, and the answers (fields named q_<key>). */
export const applyFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    const person = normalisePersonForm({
      name: b.name,
      email: b.email,
      phone: b.phone,
      experience: b.experience,
      organisation: b.organisation,
      pronouns: b.pronouns,
      accessNeeds: b.accessNeeds,
      accessNotes: b.accessNotes,
      contactPreference: b.contactPreference,
      postalAddress: b.postalAddress,
    });
    for (const k of Object.keys(person)) if (person[k] === undefined) delete person[k];
    return { person, helpedBy: blankToUndefined(b.helpedBy) };
  },
  z.strictObject({ person: personInputSchema, helpedBy: applicationExtras.helpedBy }),
);

export const reviewFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { score: numberFrom(b.score) ?? null, notes: blankToUndefined(b.notes) ?? null };
  },
  z.strictObject({
    score: z
      .number({ error: 'Choose a score from 1 to 5' })
      .int()
      .min(1, 'Choose a score from 1 to 5')
      .max(5, 'Choose a score from 1 to 5')
      .nullable(),
    notes: text(5000, 'Notes').nullable(),
  }),
);

export const coachingFormSchema = z
  .record(z.string(), z.unknown())
  .transform((b, ctx) => ({
    participantId: b.participantId,
    coachId: b.coachId,
    startsAt: londonDateTime(b, 'date', 'time', ctx, 'coaching') ?? new Date(0),
  }))
  .pipe(
    z.strictObject({
      participantId: z.string({ error: 'Choose who is being coached' }).min(1, 'Choose who is being coached'),
      coachId: z.string({ error: 'Choose the coach' }).min(1, 'Choose the coach'),
      startsAt: z.date(),
    }),
  );

export const coachingNotesSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { notes: blankToUndefined(b.notes) ?? null, status: b.status };
  },
  z.strictObject({
    notes: text(10_000, 'Notes').nullable(),
    status: z.enum(['booked', 'done', 'cancelled'], { error: 'Choose booked, done or cancelled' }),
  }),
);

export const projectInputSchema = z
  .strictObject({
    title: required(200, 'Title', 'Enter a title for the project'),
    aim: required(2000, 'Aim', 'Say what the project aims to change'),
    memberIds: z.array(z.string()).min(1, 'Choose at least one member').max(50),
    coLeadIds: z.array(z.string()).max(10).default([]),
  })
  .superRefine((v, ctx) => {
    if (Array.isArray(v.coLeadIds) && Array.isArray(v.memberIds) && v.coLeadIds.some((id) => !v.memberIds.includes(id))) {
      ctx.addIssue({ code: 'custom', path: ['coLeadIds'], message: 'Co-leads must also be members of the project' });
    }
  });
export type ProjectInput = z.infer<typeof projectInputSchema>;

export const projectFormSchema = z.preprocess((raw) => {
  const b = (raw ?? {}) as Record<string, unknown>;
  return { title: b.title, aim: b.aim, memberIds: asList(b.memberIds), coLeadIds: asList(b.coLeadIds) };
}, projectInputSchema);

export const projectUpdateSchema = z.strictObject({ body: required(5000, 'The update', 'Write the update') });

export const membershipFormSchema = z.preprocess(
  (raw) => {
    const b = (raw ?? {}) as Record<string, unknown>;
    return { shownAs: b.shownAs, alumniListed: b.alumniListed === 'yes' };
  },
  z.strictObject({ shownAs: z.enum(SHOWN_AS, { error: 'Choose how you are shown to your group' }), alumniListed: z.boolean() }),
);

export const SHOWN_AS_LABELS = {
  name_and_organisation: 'My name and my organisation',
  name: 'My name only',
  hidden: 'Do not show me to the group',
} as const;

// What the Programmes API gives back.
export const programmeOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  easyReadSummary: z.string().nullable(),
  whoFor: z.string().nullable(),
  placesPerCohort: z.number().int(),
  partners: z.array(z.string()),
  mixTarget: z.object({ livedMinShare: z.number() }).nullable(),
  trackedQuestionKeys: z.array(z.string()),
  graduationRule: z.object({ minSessionsAttended: z.number().int(), projectRequired: z.boolean() }),
  applicationFormId: z.string().nullable(),
});

const mixSchema = z.object({ lived: z.number().int(), professional: z.number().int(), both: z.number().int() });
export const cohortOutSchema = z.object({
  id: z.string(),
  programmeId: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  places: z.number().int(),
  applicationsOpen: z.boolean(),
  graduatedAt: z.string().nullable(),
  members: z.number().int(),
  offered: z.number().int(),
  mix: mixSchema.describe('People who have accepted a place'),
  mixIncludingOffers: mixSchema.describe('People who have accepted or been offered a place: what the mix meter shows'),
  sessions: z.array(
    z.object({ id: z.string(), title: z.string(), kind: z.string(), startsAt: z.string(), endsAt: z.string(), format: z.string() }),
  ),
});

export const applicationOutSchema = z.object({
  id: z.string(),
  cohortId: z.string(),
  personId: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  answers: z.record(z.string(), z.unknown()),
  onBehalf: z.boolean(),
  createdAt: z.string(),
});

export const certificateStatusSchema = z.object({
  serial: z.string(),
  name: z.string(),
  achievement: z.string(),
  issuedOn: z.string(),
  issuer: z.string(),
  status: z.enum(['valid', 'revoked']),
});

export const graduationOutSchema = z.object({
  graduated: z.array(z.string()),
  notYet: z.array(z.object({ personId: z.string(), reason: z.string() })),
  certificates: z.array(z.object({ serial: z.string(), personId: z.string().nullable() })),
});

export const programmeWithCohortsSchema = programmeOutSchema.extend({
  cohorts: z.array(z.object({ id: z.string(), name: z.string(), startsOn: z.string(), endsOn: z.string() })),
});
export const cohortSessionOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  format: z.string(),
  capacity: z.number().int(),
});
export const attendanceOutSchema = z.object({ sessionId: z.string(), personId: z.string(), attended: z.boolean() });
