import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { CONSENT_PURPOSES, type Consent, type ConsentPurpose } from '../../db/schema.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { ConsentsRepository } from './consents-repository.ts';

/**
 * The words a person agrees to. The wording shown is stored with each consent, so changing
 * the text here never changes what someone agreed to in the past.
 */
export const CONSENT_WORDING: Record<ConsentPurpose, { title: string; wording: string }> = {
  contact: {
    title: 'Contact',
    wording: 'You can contact me about events, programmes and chances to get involved.',
  },
  photos: {
    title: 'Photos',
    wording: 'You can take photos of me at events and use them to tell people about the work.',
  },
  quoting: {
    title: 'Quoting what I say',
    wording: 'You can quote what I write or say in reports. You will not use my name unless I say so.',
  },
  story_publishing: {
    title: 'Publishing my story',
    wording: 'You can publish the story I share, in the way I chose when I shared it.',
  },
  research: {
    title: 'Research',
    wording: 'You can use what I share, without my name, in research and evaluation.',
  },
};

export const consentPurposeSchema = z.enum(CONSENT_PURPOSES, { error: 'Choose what the consent is for' });
export const consentFormSchema = z.strictObject({ purpose: consentPurposeSchema });

export interface ConsentStatus {
  purpose: ConsentPurpose;
  title: string;
  wording: string;
  given: Consent | null;
}

export function createConsentsService(deps: { db: Db; consents: ConsentsRepository; audit: AuditTrail }) {
  const { db, consents, audit } = deps;
  return {
    async statusFor(personId: string): Promise<{ current: ConsentStatus[]; history: Consent[] }> {
      const history = await consents.history(db, personId);
      const current = CONSENT_PURPOSES.map((purpose) => ({
        purpose,
        ...CONSENT_WORDING[purpose],
        given: history.find((c) => c.purpose === purpose && c.withdrawnAt === null) ?? null,
      }));
      return { current, history };
    },

    /** Giving consent twice (a double click) records it once. */
    async give(actorId: string | null, personId: string, purpose: ConsentPurpose) {
      await db.transaction(async (tx) => {
        const created = await consents.give(tx, { personId, purpose, wording: CONSENT_WORDING[purpose].wording, recordedBy: actorId });
        if (created) {
          await audit.insert(tx, { actorId, action: 'consent.given', subjectType: 'person', subjectId: personId, details: { purpose } });
        }
      });
    },

    /** Takes effect at once: the next check of this consent sees it withdrawn. */
    async withdraw(actorId: string | null, personId: string, purpose: ConsentPurpose) {
      await db.transaction(async (tx) => {
        const withdrawn = await consents.withdraw(tx, personId, purpose);
        if (withdrawn) {
          await audit.insert(tx, {
            actorId,
            action: 'consent.withdrawn',
            subjectType: 'person',
            subjectId: personId,
            details: { purpose },
          });
        }
      });
    },

    hasConsent(personId: string, purpose: ConsentPurpose) {
      return consents.isLive(db, personId, purpose);
    },
  };
}

export type ConsentsService = ReturnType<typeof createConsentsService>;
