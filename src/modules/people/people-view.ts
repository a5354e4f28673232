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

/**
 * How to reach someone, in a word for lists: their preferred way if they gave it, else whatever
 * they gave. Someone with no email, phone or address (a walk-in) has "No contact details".
 */
export function contactSummary(p: Pick<Person, 'email' | 'phone' | 'postalAddress' | 'contactPreference'>): string {
  const byPost = p.postalAddress ? 'By post' : null;
  const preferred = p.contactPreference === 'phone' ? p.phone : p.contactPreference === 'post' ? byPost : p.email;
  return preferred || p.email || p.phone || byPost || 'No contact details';
}

/** The "best way to contact" line on a person's page. */
export function contactPreferenceLabel(p: Pick<Person, 'email' | 'phone' | 'postalAddress' | 'contactPreference'>): string {
  if (!p.email && !p.phone && !p.postalAddress) return 'No contact details';
  return { email: 'Email', phone: 'Phone', post: 'Post' }[p.contactPreference] ?? p.contactPreference;
}
