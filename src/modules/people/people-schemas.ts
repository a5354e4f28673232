import { z } from 'zod';
import { ACCESS_NEEDS, CONTACT_PREFERENCES, EXPERIENCES, ROLES } from '../../db/schema.ts';
import { asList, blankToUndefined } from '../../lib/validation.ts';

export const ACCESS_NEED_LABELS: Record<(typeof ACCESS_NEEDS)[number], string> = {
  step_free: 'Step-free access (no stairs)',
  bsl_interpreter: 'A British Sign Language (BSL) interpreter',
  hearing_loop: 'A hearing loop',
  large_print: 'Large print',
  easy_read: 'Easy read',
  support_worker: 'A carer or support worker coming with me',
  dietary: 'Dietary needs',
  other: 'Something else',
};

export const EXPERIENCE_LABELS: Record<(typeof EXPERIENCES)[number], string> = {
  lived: 'Lived experience (patient, carer or member of the public)',
  professional: 'Professional (I work in health or social care)',
  both: 'Both',
};

export const ROLE_LABELS: Record<(typeof ROLES)[number], string> = {
  admin: 'Organisation admin',
  staff: 'Staff',
  facilitator: 'Facilitator',
  participant: 'Participant',
};

const optionalText = (max: number, label: string) => z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional();

const personFields = {
  name: z.string({ error: 'Enter a name' }).trim().min(1, 'Enter a name').max(200, 'Name must be 200 characters or fewer'),
  labelName: optionalText(60, 'The name for a label'),
  pronouns: optionalText(40, 'Pronouns'),
  experience: z.enum(EXPERIENCES, { error: 'Choose lived experience, professional, or both' }),
  organisation: optionalText(200, 'Organisation'),
  email: z
    .email({ error: 'Enter an email address in the correct format, like name@example.com' })
    .max(254, 'Email address must be 254 characters or fewer')
    .optional(),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9+() -]{6,30}$/, 'Enter a phone number using only numbers, spaces, + and brackets')
    .optional(),
  postalAddress: optionalText(500, 'Postal address'),
  contactPreference: z.enum(CONTACT_PREFERENCES, { error: 'Choose email, phone or post' }).optional(),
  accessNeeds: z
    .array(z.enum(ACCESS_NEEDS, { error: 'Choose access needs from the list' }))
    .max(ACCESS_NEEDS.length)
    .optional(),
  accessNotes: optionalText(2000, 'Notes about access needs'),
  bio: optionalText(1000, 'About you'),
};

function checkContact(
  value: {
    email?: string | undefined;
    phone?: string | undefined;
    postalAddress?: string | undefined;
    contactPreference?: string | undefined;
  },
  ctx: z.RefinementCtx,
) {
  const pref = value.contactPreference;
  if (pref === 'email' && !value.email)
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter an email address, or choose phone or post' });
  if (pref === 'phone' && !value.phone)
    ctx.addIssue({ code: 'custom', path: ['phone'], message: 'Enter a phone number, or choose another way to contact' });
  if (pref === 'post' && !value.postalAddress)
    ctx.addIssue({ code: 'custom', path: ['postalAddress'], message: 'Enter a postal address, or choose another way to contact' });
}

/** A person as the API and the staff form take it. Unknown fields are refused. */
export const personInputSchema = z.strictObject(personFields).superRefine(checkContact);
export type PersonInput = z.infer<typeof personInputSchema>;

/** What a person may change about themselves (no role, no record-keeping fields). */
export const ownDetailsSchema = personInputSchema;

const textKeys = [
  'name',
  'labelName',
  'pronouns',
  'organisation',
  'email',
  'phone',
  'postalAddress',
  'accessNotes',
  'contactPreference',
  'experience',
  'bio',
] as const;

/** HTML forms send strings: blanks mean "not given" and checkboxes may be one value or many. */
export function normalisePersonForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const key of textKeys) out[key] = blankToUndefined(out[key]);
  out.accessNeeds = asList(out.accessNeeds);
  return out;
}

export const personFormSchema = z.preprocess((raw) => normalisePersonForm((raw ?? {}) as Record<string, unknown>), personInputSchema);

export const roleFormSchema = z.strictObject({
  role: z.enum(ROLES, { error: 'Choose a role' }),
});

export const personSchema = z.object({
  id: z.string(),
  name: z.string(),
  labelName: z.string().nullable(),
  pronouns: z.string().nullable(),
  experience: z.enum(EXPERIENCES),
  organisation: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  postalAddress: z.string().nullable(),
  contactPreference: z.enum(CONTACT_PREFERENCES),
  accessNeeds: z.array(z.enum(ACCESS_NEEDS)),
  accessNotes: z.string().nullable(),
  bio: z.string().nullable(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PersonOut = z.infer<typeof personSchema>;

/** A person in a list: no access needs or notes. Those come one person at a time, and each read is audited. */
export const personListItemSchema = personSchema.omit({ accessNeeds: true, accessNotes: true });
export type PersonListItem = z.infer<typeof personListItemSchema>;
