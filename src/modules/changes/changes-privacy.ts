import type { PersonalDataHolder } from '../privacy/personal-data.ts';

/** "You said, we did" entries are about services, written by staff. */
export function changesPersonalData(): PersonalDataHolder {
  return {
    module: 'changes',
    tables: { changes: 'nothing about a person: what people said and what changed, written by staff' },
    personColumns: { 'changes.created_by': 'kept: the member of staff who wrote it' },
    async export() {
      return {};
    },
    async forget() {},
  };
}
