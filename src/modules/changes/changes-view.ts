import type { Change } from '../../db/schema.ts';
import { dayInWords, londonDay } from '../../lib/dates.ts';
import { SOURCE_LABELS, STATUS_IN_WORDS, STATUS_LABELS, STATUS_TAG } from './changes-schemas.ts';
import type { ShownSource } from './changes-service.ts';

const excerpt = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max).replace(/\s+\S*$/, '')}…`;
};

/** An entry as the public page shows it: plain strings only, so the template needs no lookups. */
export function publicChangeView(change: Change, source: ShownSource | null) {
  return {
    id: change.id,
    youSaid: change.youSaid,
    weDid: change.weDid,
    statusText: STATUS_IN_WORDS[change.status],
    statusTag: STATUS_LABELS[change.status],
    tagColour: STATUS_TAG[change.status],
    publishedOnText: change.publishedOn ? dayInWords(change.publishedOn) : '',
    whereText: source?.text ?? null,
    whereUrl: source?.url ?? null,
    theme: source?.theme ?? null,
  };
}

/** An entry as staff see it in the list and on its page. */
export function staffChangeView(change: Change, source: ShownSource | null) {
  return {
    ...publicChangeView(change, source),
    youSaidShort: excerpt(change.youSaid),
    state: change.publishedOn ? 'Published' : 'Draft',
    stateColour: change.publishedOn ? 'green' : 'grey',
    published: !!change.publishedOn,
    sourceKind: change.sourceType ? SOURCE_LABELS[change.sourceType] : 'Not linked to a source',
    sourceTitle: source?.title ?? null,
    sourceGone: !!source && !source.exists,
    publicText: source?.text ?? null,
    notifiedText: change.notifiedAt
      ? `${change.notifiedCount ?? 0} ${change.notifiedCount === 1 ? 'person was' : 'people were'} emailed on ${dayInWords(londonDay(change.notifiedAt))}`
      : null,
    isDemo: change.isDemo,
  };
}
