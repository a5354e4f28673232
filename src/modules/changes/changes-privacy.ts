import type { PersonalDataHolder } from '../privacy/personal-data.ts';
import { createChangesRepository } from './changes-repository.ts';

/**
 * "You said, we did" entries are written by staff about services: what people said, summed up
 * (the form asks staff not to name anyone), and what changed. The only person an entry refers to
 * is the member of staff who wrote it: their export lists what they wrote, and erasure keeps the
 * entries (the change happened, and is about a service) pointing at the writer's row, which erasure
 * anonymises, so nothing about them is left in it. Who was emailed about
 * an entry is not kept here: the email module holds the messages, and the people who took part are
 * found from the source each time.
 */
export function changesPersonalData(): PersonalDataHolder {
  const repo = createChangesRepository();
  return {
    module: 'changes',
    tables: {
      changes:
        'nothing about a person but its writer: what people said, summed up by staff, what was done, where it was said, when it was published and how many people were told',
    },
    personColumns: {
      'changes.created_by': 'kept: the member of staff who wrote it; it names a row (anonymised by erasure), not a value',
    },
    async export(ex, personId) {
      const written = await repo.writtenBy(ex, personId);
      return written.length
        ? {
            youSaidWeDidWritten: written.map((c) => ({
              youSaid: c.youSaid,
              weDid: c.weDid,
              status: c.status,
              publishedOn: c.publishedOn,
              writtenAt: c.createdAt.toISOString(),
            })),
          }
        : {};
    },
    async forget() {
      // The entries are about services and stay; the writer's row is anonymised by the people module.
    },
  };
}
