import type { PersonalDataHolder } from '../privacy/personal-data.ts';
import type { ConsentsRepository } from './consents-repository.ts';

export function consentsPersonalData(consents: ConsentsRepository): PersonalDataHolder {
  return {
    module: 'consents',
    tables: { consents: 'what the person agreed to, with the wording they saw, when, and when they withdrew it' },
    personColumns: {
      'consents.person_id': 'deleted',
      'consents.recorded_by': 'kept on other people’s consents: who recorded them (staff)',
    },
    async export(ex, personId) {
      const history = await consents.history(ex, personId);
      return {
        consents: history.map((c) => ({
          purpose: c.purpose,
          wording: c.wording,
          givenAt: c.givenAt.toISOString(),
          withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
        })),
      };
    },
    async forget(tx, person) {
      await consents.deleteForPerson(tx, person.id);
    },
  };
}
