import type { ReadAnswer } from './text.ts';

/**
 * Names for themes that a person would accept: "Waiting times", "Food and drink", "Listening and
 * involving people", not "Food and staff". A theme takes a name from this short list of subjects
 * common in health, care and event feedback when many of its answers use that subject's words far
 * more than the other answers do; otherwise the phrase its answers share most distinctively, as
 * written ("Hospital food", "Phone line").
 */
const SUBJECTS: { name: string; words: string[] }[] = [
  {
    name: 'Food and drink',
    words: [
      'food',
      'meal',
      'drink',
      'lunch',
      'breakfast',
      'dinner',
      'tea',
      'coffee',
      'snack',
      'menu',
      'catering',
      'eat',
      'hungry',
      'water',
    ],
  },
  { name: 'Waiting times', words: ['wait', 'waiting', 'delay', 'queue', 'late', 'hour', 'hours', 'quicker', 'faster', 'long', 'time'] },
  { name: 'Appointments', words: ['appointment', 'appointments', 'booking', 'book', 'rebook', 'cancel', 'cancelled', 'reschedule'] },
  {
    name: 'Medication',
    words: ['medication', 'medicine', 'medicines', 'tablet', 'tablets', 'prescription', 'drug', 'drugs', 'pharmacy', 'dose'],
  },
  {
    name: 'Activities and time outdoors',
    words: [
      'activity',
      'activities',
      'garden',
      'outside',
      'fresh',
      'air',
      'walk',
      'walks',
      'game',
      'games',
      'bored',
      'boring',
      'exercise',
      'gym',
      'outing',
    ],
  },
  {
    name: 'Listening and involving people',
    words: ['listen', 'listened', 'listening', 'listens', 'heard', 'understand', 'understood', 'involve', 'involved', 'understanding'],
  },
  {
    name: 'Information and explanations',
    words: ['information', 'explain', 'explained', 'explanation', 'informed', 'inform', 'leaflet', 'update', 'updates', 'told', 'clear'],
  },
  {
    name: 'Kind and caring staff',
    words: ['kind', 'caring', 'friendly', 'polite', 'helpful', 'lovely', 'respectful', 'compassionate', 'supportive', 'nice', 'pleasant'],
  },
  { name: 'Staff attitude', words: ['rude', 'attitude', 'unhelpful', 'dismissive', 'unprofessional', 'manner', 'arrogant'] },
  {
    name: 'Transport and travel',
    words: ['ambulance', 'transport', 'taxi', 'driver', 'drivers', 'bus', 'parking', 'park', 'travel', 'car', 'journey', 'crew'],
  },
  {
    name: 'Getting through on the phone',
    words: ['phone', 'call', 'calls', 'telephone', 'answer', 'answered', 'line', 'ring', 'rang', 'hold', 'contact'],
  },
  { name: 'Number of staff', words: ['staffing', 'shortage', 'short', 'understaffed', 'busy', 'stretched', 'overworked'] },
  { name: 'Cleanliness', words: ['clean', 'cleanliness', 'dirty', 'hygiene', 'tidy', 'toilet', 'toilets'] },
  {
    name: 'Praise and thanks',
    words: [
      'thank',
      'thanks',
      'excellent',
      'brilliant',
      'fantastic',
      'amazing',
      'everything',
      'wonderful',
      'grateful',
      'superb',
      'outstanding',
    ],
  },
  {
    name: 'Help and advice',
    words: ['help', 'helped', 'advice', 'advised', 'advise', 'reassurance', 'reassured', 'reassuring', 'guidance'],
  },
  { name: 'Questions asked', words: ['question', 'questions', 'ask', 'asked', 'asking', 'repetitive', 'repeated'] },
  {
    name: 'Diagnosis and treatment',
    words: ['diagnosis', 'diagnosed', 'treatment', 'treated', 'examined', 'examination', 'test', 'tests', 'scan', 'assessment'],
  },
  { name: 'Nothing to improve', words: ['nothing', 'none', 'n/a', 'nil', 'fine', 'perfect', 'satisfied'] },
  {
    name: 'Venue and access',
    words: ['venue', 'room', 'rooms', 'access', 'accessible', 'step', 'seating', 'hearing', 'loop', 'lift', 'wheelchair'],
  },
  { name: 'Speakers and stories', words: ['speaker', 'speakers', 'story', 'stories', 'talk', 'talks', 'presentation', 'presenter'] },
];

/**
 * Subjects teams raise when they talk about working across health, care and the third sector
 * (team chats such as Team Leeds'): the feedback list above would call "time to meet people"
 * a waiting time.
 */
const PARTNERSHIP_SUBJECTS: { name: string; words: string[] }[] = [
  { name: 'Knowing who to contact', words: ['contact', 'contacts', 'named', 'directory', 'phone', 'call'] },
  { name: 'Shared records and IT systems', words: ['record', 'records', 'system', 'systems', 'database', 'forms', 'typed'] },
  {
    name: 'Time to meet and build relationships',
    words: ['time', 'meet', 'meeting', 'meetings', 'relationship', 'relationships', 'network', 'networking', 'huddle'],
  },
  { name: 'Referrals between services', words: ['refer', 'referral', 'referrals', 'referred', 'signpost', 'signposting'] },
  { name: 'Funding and paying partners', words: ['fund', 'funding', 'grant', 'grants', 'paid', 'pay', 'money', 'budget', 'commission'] },
  { name: 'Food and hunger', words: ['food', 'meal', 'meals', 'hungry', 'parcel', 'parcels', 'kitchen', 'cafe', 'breakfast'] },
  {
    name: 'Wellbeing and tiredness',
    words: ['tired', 'exhausted', 'exhausting', 'stress', 'stressed', 'wellbeing', 'frightened', 'worried', 'relentless'],
  },
  { name: 'Pride and pulling together', words: ['proud', 'pride', 'pulled', 'leant'] },
  { name: 'Training together', words: ['training', 'train', 'learning', 'learn', 'shadow', 'shadowing'] },
  {
    name: 'Being treated as equal partners',
    words: ['partner', 'partners', 'equal', 'trust', 'respect', 'invited', 'included', 'seat', 'table'],
  },
  { name: 'Carers', words: ['carer', 'carers', 'caring'] },
  { name: 'Volunteers', words: ['volunteer', 'volunteers'] },
  { name: 'Loneliness and isolation', words: ['lonely', 'loneliness', 'isolated', 'isolation', 'befriending'] },
];

/** Which list of subjects names the themes: feedback on care and events, or teams working together. */
export const SUBJECT_SETS = { care: SUBJECTS, partnership: PARTNERSHIP_SUBJECTS } as const;
export type SubjectSet = keyof typeof SUBJECT_SETS;

interface Counted {
  key: string;
  /** How it is shown: as it was written for phrases, the word for subjects and terms. */
  text: string;
  inTheme: number;
  overall: number;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function labelThemes(read: ReadAnswer[], groups: number[][], set: SubjectSet = 'care'): { label: string; terms: string[] }[] {
  const subjects = SUBJECT_SETS[set];
  const total = groups.reduce((n, g) => n + g.length, 0) || 1;
  // Each answer counts a phrase, a term or a subject once.
  const features = read.map((a) => {
    const words = new Set(a.words);
    const out = new Set<string>();
    for (const t of a.terms) out.add(`t:${t}`);
    for (const p of a.phrases) if (p.includes(' ')) out.add(`p:${p}`);
    subjects.forEach((s, i) => s.words.some((w) => words.has(w)) && out.add(`s:${i}`));
    return out;
  });
  const overall = new Map<string, number>();
  for (const g of groups) for (const i of g) for (const f of features[i]!) overall.set(f, (overall.get(f) ?? 0) + 1);

  const used = new Set<string>();
  const order = groups.map((g, c) => ({ g, c })).sort((a, b) => b.g.length - a.g.length || a.c - b.c);
  const out: { label: string; terms: string[] }[] = new Array(groups.length);
  for (const { g, c } of order) {
    const inTheme = new Map<string, number>();
    for (const i of g) for (const f of features[i]!) inTheme.set(f, (inTheme.get(f) ?? 0) + 1);
    // Distinctive and common in the theme: coverage × log of how much more common than elsewhere.
    const score = (x: Counted) => (x.inTheme / g.length) * Math.log2(1 + x.inTheme / g.length / (x.overall / total));
    const counted: Counted[] = [...inTheme.entries()]
      .filter(([, n]) => n >= 2 || g.length < 4)
      .map(([key, n]) => ({
        key,
        text: key.startsWith('s:') ? subjects[Number(key.slice(2))]!.name : key.slice(2),
        inTheme: n,
        overall: overall.get(key)!,
      }))
      .sort((a, b) => score(b) - score(a) || (a.key < b.key ? -1 : 1));
    const terms = counted
      .filter((x) => !x.key.startsWith('s:'))
      .slice(0, 6)
      .map((x) => x.text);
    const best = counted.find((x) => !x.key.startsWith('s:'));
    const subject = counted.find((x) => x.key.startsWith('s:') && x.inTheme / g.length >= 0.3 && x.inTheme / x.overall >= 0.3);
    const phrase = counted.find((x) => x.key.startsWith('p:') && best && score(x) >= score(best) * 0.5);
    const candidates = [
      ...(subject && best && score(subject) >= score(best) * 0.4 ? [subject.text] : []),
      ...(phrase ? [capitalise(phrase.text)] : []),
      ...counted.filter((x) => !x.key.startsWith('s:')).map((x) => capitalise(x.text)),
    ];
    const label = candidates.find((l) => !used.has(l.toLowerCase())) ?? `Theme ${c + 1}`;
    used.add(label.toLowerCase());
    out[c] = { label, terms };
  }
  return out;
}
