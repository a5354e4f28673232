import type { Actor } from '../../plugins/access.ts';
import type { ChangesService } from '../changes/changes-service.ts';

/** The demo evaluation's title, as demo-evaluation.ts makes it. */
export const DEMO_EVALUATION_TITLE = 'How was #PatientsasPartners16?';

/** Each published entry, with the words its theme's label is looked for by (the first found is used). */
const PUBLISHED = [
  {
    themeWords: /leader|courage|brave|power/i,
    youSaid: 'Courageous leadership is needed. Leaders must be brave enough to share power with patients.',
    weDid:
      'Two patient leaders now co-chair the programme board, with the same vote as the directors. They chose the agenda for the first meeting.',
    status: 'done' as const,
    publishedOn: '2016-07-04',
  },
  {
    themeWords: /listen/i,
    youSaid: 'Listen properly to people, without jumping to solutions.',
    weDid:
      'Every planning meeting now starts with people with lived experience speaking first, for ten minutes. Training in active listening is open to all staff.',
    status: 'doing' as const,
    publishedOn: '2016-09-12',
  },
];

/**
 * Two published "You said, we did" entries from the themes of the #PatientsasPartners16
 * evaluation, and one draft. Run after seedDemoEvaluation: the themes are the ones found in its
 * answers, so each entry is linked to a label that exists. Returns the entries' ids.
 */
export async function seedDemoChanges(deps: { changes: ChangesService; admin: Actor }): Promise<string[]> {
  const choices = await deps.changes.sourceChoices();
  const form = choices.find((c) => c.text === `Feedback form: ${DEMO_EVALUATION_TITLE}`);
  if (!form) return [];
  const themePrefix = `${form.value}:`;
  const labels = choices.filter((c) => c.value.startsWith(themePrefix)).map((c) => c.value.slice(themePrefix.length));
  const [, , formId] = /^(form):([0-9a-f-]{36})/.exec(form.value)!;
  const used = new Set<string>();
  const ids: string[] = [];
  for (const entry of PUBLISHED) {
    // The label that fits these words, or else the next one not used yet: the demo's themes are found, not fixed.
    const theme = labels.find((l) => entry.themeWords.test(l) && !used.has(l)) ?? labels.find((l) => !used.has(l));
    if (theme) used.add(theme);
    const { change } = await deps.changes.create(
      deps.admin,
      { youSaid: entry.youSaid, weDid: entry.weDid, status: entry.status, source: { type: 'form', id: formId!, theme } },
      { publishedOn: entry.publishedOn, isDemo: true },
    );
    ids.push(change.id);
  }
  const draft = await deps.changes.create(
    deps.admin,
    {
      youSaid: 'Local partnerships and relationships are what make co-production work.',
      weDid: 'We will plan the next conference with local community groups as partners from the start.',
      status: 'planned',
      source: { type: 'form', id: formId! },
    },
    { isDemo: true },
  );
  ids.push(draft.change.id);
  return ids;
}
