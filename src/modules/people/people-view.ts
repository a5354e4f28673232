import { ACCESS_NEEDS, EXPERIENCES, type Person } from '../../db/schema.ts';
import { asTyped } from '../../lib/forms.ts';
import { ACCESS_NEED_LABELS, EXPERIENCE_LABELS } from './people-schemas.ts';

/** Radio and checkbox items for the person form. */
export const personFormOptions = {
  experiences: EXPERIENCES.map((value) => ({ value, text: EXPERIENCE_LABELS[value] })),
  accessNeeds: ACCESS_NEEDS.map((value) => ({ value, text: ACCESS_NEED_LABELS[value] })),
};

/** A stored person as the form's values. */
export function personFormValues(p: Person): Record<string, unknown> {
  return {
    name: p.name,
    labelName: p.labelName ?? '',
    pronouns: p.pronouns ?? '',
    experience: p.experience,
    organisation: p.organisation ?? '',
    email: p.email ?? '',
    phone: p.phone ?? '',
    postalAddress: p.postalAddress ?? '',
    contactPreference: p.contactPreference,
    accessNeeds: p.accessNeeds,
    accessNotes: p.accessNotes ?? '',
    bio: p.bio ?? '',
  };
}

/** What the user typed, kept when the form comes back with errors. */
export const submittedValues = (body: unknown) => asTyped(body, ['accessNeeds']);

export const accessNeedLabel = (need: string) => ACCESS_NEED_LABELS[need as keyof typeof ACCESS_NEED_LABELS] ?? need;
export const experienceLabel = (e: string) => EXPERIENCE_LABELS[e as keyof typeof EXPERIENCE_LABELS] ?? e;
