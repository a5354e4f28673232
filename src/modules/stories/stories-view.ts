import type { Story, StoryFlag, StoryFlagKind, StoryModerationEntry, StoryStatus } from '../../db/schema.ts';

export const FLAG_LABELS: Record<StoryFlagKind, string> = {
  email: 'Email address',
  phone: 'Phone number',
  nhs_number: 'NHS number',
  postcode: 'Postcode',
  person_name: 'Name',
  date_of_birth: 'Date of birth',
};

export const STATUS_LABELS: Record<StoryStatus, string> = {
  submitted: 'Waiting to be checked',
  changes_requested: 'Changes asked for',
  published: 'Published',
  rejected: 'Not published',
  withdrawn: 'Withdrawn',
};

export const STATUS_TAGS: Record<StoryStatus, string> = {
  submitted: 'nhsuk-tag--blue',
  changes_requested: 'nhsuk-tag--yellow',
  published: 'nhsuk-tag--green',
  rejected: 'nhsuk-tag--grey',
  withdrawn: 'nhsuk-tag--grey',
};

export const SOURCE_LABELS: Record<Story['source'], string> = {
  web: 'The story form',
  email: 'Email',
  staff: 'Entered by staff',
  api: 'The API',
};

export const ACTION_LABELS: Record<StoryModerationEntry['action'], string> = {
  publish: 'Published',
  reject: 'Rejected',
  ask_for_changes: 'Asked the author for changes',
  consent: 'Consent recorded',
  withdraw: 'Withdrawn',
  resubmit: 'Sent back with changes',
  take_down: 'Taken down',
  correct: 'Corrected while published',
};

export interface Segment {
  text: string;
  /** Set on a flagged piece: what kind of detail it is, in words. */
  flag: string | null;
}

/**
 * The text cut into plain and flagged pieces, for highlighting; flags that overlap an earlier one,
 * or whose words no longer stand where they were found, are skipped.
 */
export function segments(text: string, flags: StoryFlag[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const f of [...flags].sort((a, b) => a.start - b.start)) {
    if (f.start < at || f.end > text.length || f.end <= f.start || text.slice(f.start, f.end) !== f.text) continue;
    if (f.start > at) out.push({ text: text.slice(at, f.start), flag: null });
    out.push({ text: text.slice(f.start, f.end), flag: FLAG_LABELS[f.kind] ?? 'Personal detail' });
    at = f.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), flag: null });
  return out;
}

/** "2 email addresses, 1 phone number": what was found, counted by kind. */
export function flagSummary(flags: StoryFlag[]): { label: string; count: number }[] {
  const counts = new Map<StoryFlagKind, number>();
  for (const f of flags) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => ({ label: FLAG_LABELS[kind], count }));
}

/** Paragraphs as the author wrote them, split on blank lines. */
export const paragraphs = (text: string | null) =>
  (text ?? '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

const answer = (given: boolean, answered: boolean) => (!answered ? 'Not answered yet' : given ? 'Yes' : 'No');

export function consentView(s: Story) {
  const answered = !!s.consentAt;
  return {
    answered,
    answeredAt: s.consentAt,
    publish: answer(s.consentPublish, answered),
    showName: !answered ? 'Not answered yet' : !s.consentPublish ? 'No (not to be published)' : s.consentShowName ? 'Yes' : 'No',
    quote: answer(s.consentQuote, answered),
  };
}

/** The consent form's values from what the author chose before (blank if they have not answered). */
export const consentValues = (s: Story) =>
  s.consentAt
    ? { publish: s.consentPublish ? 'yes' : 'no', showName: s.consentShowName ? 'yes' : 'no', quote: s.consentQuote ? 'yes' : 'no' }
    : {};

const day = (d: Date | null) =>
  d ? d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) : '';

/** A published story as anyone may see it. */
export function publicStoryView(s: Story, conversationTitle: string | null) {
  const name = s.consentShowName && s.authorName ? s.authorName : null;
  return {
    id: s.id,
    title: s.title,
    paragraphs: paragraphs(s.publishedBody),
    authorName: name,
    organisation: name ? s.authorOrganisation : null,
    publishedOn: day(s.publishedAt),
    easyReadSummary: s.easyReadSummary,
    themes: s.themes,
    conversationTitle,
  };
}

/** A row of the moderation queue or of someone's own list. */
export function rowView(s: Story) {
  return {
    id: s.id,
    title: s.title,
    from: s.authorName ?? s.authorEmail ?? 'No name given',
    received: day(s.createdAt),
    status: s.status,
    statusText: STATUS_LABELS[s.status],
    statusTag: STATUS_TAGS[s.status],
    source: SOURCE_LABELS[s.source],
    flags: s.flags.length,
    consentAnswered: !!s.consentAt,
    consentPublish: s.consentPublish,
    isDemo: s.isDemo,
  };
}

export { day as dayText };
