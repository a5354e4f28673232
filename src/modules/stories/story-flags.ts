import type { StoryFlag, StoryFlagKind } from '../../db/schema.ts';
import { findPersonalDetails, MAX_STORY_FLAGS, remainingDetails } from './flags.ts';

export type StoryField = 'title' | 'body';

/**
 * A flag as stories.flags holds it: the schema's StoryFlag ({ kind, text, start, end }) and the
 * field it was found in, its offsets counted in that field. Title flags stay in the same list,
 * tagged, rather than in a wrapper object: the jsonb is still an array of flags for every reader,
 * and a flag with no field (rows written before titles were checked, or by code that flags only
 * the body) reads as a body flag, which is what it always was.
 */
export interface FieldFlag extends StoryFlag {
  field?: StoryField;
}

export const fieldOf = (f: FieldFlag): StoryField => (f.field === 'title' ? 'title' : 'body');
export const titleFlags = (flags: FieldFlag[]) => flags.filter((f) => fieldOf(f) === 'title');
export const bodyFlags = (flags: FieldFlag[]) => flags.filter((f) => fieldOf(f) === 'body');
/** Every flag with its field spelled out, as the API gives them. */
export const withFields = (flags: FieldFlag[]) => flags.map((f) => ({ ...f, field: fieldOf(f) }));

const tag = (field: StoryField, flags: StoryFlag[]): FieldFlag[] => flags.map((f) => ({ ...f, field }));

/** The personal details in a story's title and in its text, each flag tagged with where it is. */
export function flagStory(title: string, body: string): FieldFlag[] {
  return [...tag('title', findPersonalDetails(title)), ...tag('body', findPersonalDetails(body))];
}

/** The flags to store for a story whose body (only) was flagged by its caller: its title's added. */
export function addTitleFlags(title: string, flags: FieldFlag[]): FieldFlag[] {
  if (flags.some((f) => f.field === 'title')) return flags;
  return [...tag('title', findPersonalDetails(title)), ...tag('body', flags)];
}

/**
 * What is still in the title and the text about to be published. Each is checked against every
 * detail found in the story, wherever it was found: a name flagged in the title and left in the
 * text (or the other way round) is still that name.
 */
export function remainingIn(flags: FieldFlag[], title: string, body: string): FieldFlag[] {
  return [...tag('title', remainingDetails(flags, title)), ...tag('body', remainingDetails(flags, body))];
}

/**
 * What stands where a detail was taken out: its kind, in words, so that the published text still
 * reads ("[name removed] rang [name removed]", not "[removed] rang [removed]").
 */
export const REMOVED: Record<StoryFlagKind, string> = {
  person_name: '[name removed]',
  phone: '[phone number removed]',
  email: '[email address removed]',
  nhs_number: '[NHS number removed]',
  postcode: '[postcode removed]',
  date_of_birth: '[date of birth removed]',
};

interface Span {
  start: number;
  end: number;
  kind: StoryFlagKind;
}

/** The text with each span blanked out, same length, so that offsets found in it are the text's own. */
function blanked(text: string, spans: Span[]): string {
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + ' '.repeat(s.end - s.start);
    at = s.end;
  }
  return out + text.slice(at);
}

/** How many times the text is looked through again when a look found the most details one look gives. */
const MOST_LOOKS = 50;

/**
 * The text with every detail taken out, each replaced by what kind of detail it was (REMOVED): the
 * flags that still stand at their offsets, then whatever remainingDetails finds in the text (each
 * flag looked for by its words wherever it is now, and details the text itself holds), so that
 * nothing is left for the moderation page to warn about. remainingDetails stops at
 * MAX_STORY_FLAGS; what it found is blanked out and the text looked through again, until a look
 * finds fewer.
 */
export function redactDetails(text: string, flags: StoryFlag[]): string {
  const spans: Span[] = flags
    .filter((f) => f.start >= 0 && f.end > f.start && text.slice(f.start, f.end) === f.text)
    .map(({ start, end, kind }) => ({ start, end, kind }));
  let rest = blanked(text, spans);
  for (let look = 0; look < MOST_LOOKS; look++) {
    const found = remainingDetails(flags, rest).filter((f) => f.end > f.start);
    spans.push(...found.map(({ start, end, kind }) => ({ start, end, kind })));
    if (found.length < MAX_STORY_FLAGS) break;
    rest = blanked(rest, found);
  }
  // In text order; a span that overlaps the one before it is taken out with it, as one detail.
  let out = '';
  let at = 0;
  let open: Span | null = null;
  for (const s of spans.sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (open && s.start < open.end) {
      open.end = Math.max(open.end, s.end);
      continue;
    }
    if (open) {
      out += REMOVED[open.kind];
      at = open.end;
    }
    out += text.slice(at, s.start);
    open = { ...s };
  }
  if (open) {
    out += REMOVED[open.kind];
    at = open.end;
  }
  return out + text.slice(at);
}

/** The title and the text with every detail found in the story taken out, for the moderation page's button. */
export function redactStory(flags: FieldFlag[], title: string, body: string): { title: string; body: string } {
  // Offsets are only good in their own field; elsewhere a flag is looked for by its text.
  const elsewhere = (own: FieldFlag[], other: FieldFlag[]) => [...own, ...other.map((f) => ({ ...f, start: -1, end: -1 }))];
  return {
    title: redactDetails(title, elsewhere(titleFlags(flags), bodyFlags(flags))),
    body: redactDetails(body, elsewhere(bodyFlags(flags), titleFlags(flags))),
  };
}
