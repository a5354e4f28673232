export type ContactWay = 'email' | 'phone' | 'post' | 'none';

export interface ContactDetails {
  email: string | null;
  phone: string | null;
  postalAddress: string | null;
  contactPreference: string | null;
}

/**
 * How to tell someone that something changed: the way they chose if we can, else whatever we
 * hold. Events and programmes both use it, so a person reached by phone is phoned about both.
 */
export function contactWay(p: ContactDetails): ContactWay {
  if (p.contactPreference === 'post' && p.postalAddress) return 'post';
  if (p.contactPreference === 'phone' && p.phone) return 'phone';
  if (p.email) return 'email';
  if (p.phone) return 'phone';
  if (p.postalAddress) return 'post';
  return 'none';
}
