import { PLEDGE_PROGRESS, type ChatPledge, type Conversation, type Sector } from '../../db/schema.ts';
import { dayInWords } from '../../lib/dates.ts';
import { PROGRESS_CHOICES, PROGRESS_LABELS, SECTOR_LABELS } from './conversations-schemas.ts';

const STATUS_TAGS: Record<Conversation['status'], { text: string; colour: string }> = {
  draft: { text: 'Draft', colour: 'grey' },
  open: { text: 'Open', colour: 'green' },
  closed: { text: 'Closed', colour: 'blue' },
};

export const conversationView = (c: Conversation) => ({
  ...c,
  opensOnText: dayInWords(c.opensOn),
  closesOnText: dayInWords(c.closesOn),
  statusTag: STATUS_TAGS[c.status],
  whoText: [...c.sectors.map((s) => SECTOR_LABELS[s]), ...c.organisations].join(', ') || 'Every team in health, care and the third sector',
});

export const sectorLabel = (s: Sector) => SECTOR_LABELS[s];

/** Each pledge as a radios group, with what was chosen (after a mistake) or saved before. */
export function pledgeItems(pledges: ChatPledge[], body: Record<string, unknown>) {
  return pledges.map((p) => {
    const chosen = (body[`progress_${p.id}`] as string | undefined) ?? p.progress ?? '';
    return {
      id: p.id,
      text: p.text,
      progressText: p.progress ? PROGRESS_LABELS[p.progress] : 'Not answered yet',
      items: PLEDGE_PROGRESS.map((value) => ({ value, text: PROGRESS_CHOICES[value], checked: chosen === value })),
    };
  });
}

/** A share as a whole per cent, for the sector mix. */
export const percent = (part: number, whole: number) => (whole ? Math.round((100 * part) / whole) : 0);
