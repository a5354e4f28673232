import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { isUuid } from '../../db/ids.ts';
import type { Claim } from '../../db/schema.ts';
import type { EmailComposers } from '../email/email-requests.ts';
import type { OutgoingEmail } from '../email/mailer.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { PaymentsRepository } from './payments-repository.ts';

const pounds = (pence: number) => `£${(pence / 100).toFixed(2)}`;

/**
 * The claimant is told when their claim is approved, not approved (with the reason) or paid.
 * Written when the email goes, from the claim as it is then; nobody to write to, no email.
 */
export function claimEmailComposers(deps: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'branding'>;
  repo: PaymentsRepository;
  people: Pick<PeopleService, 'findById'>;
}): EmailComposers {
  const compose = (kind: string, write: (c: Claim, name: string, link: string) => { subject: string; lines: string[] }) => {
    return async ({ claimId }: Record<string, string>): Promise<OutgoingEmail | null> => {
      const c = claimId && isUuid(claimId) ? await deps.repo.find(deps.db, claimId) : null;
      if (!c?.personId || c.anonymisedAt) return null;
      const p = await deps.people.findById(c.personId);
      if (!p?.email || p.erasedAt) return null;
      const { subject, lines } = write(c, p.name, `${deps.config.publicUrl}/claims/${c.id}`);
      return {
        kind,
        to: p.email,
        subject,
        text: [`Hello ${p.name},`, '', ...lines, '', 'Thank you for your time,', deps.config.branding.orgName].join('\n'),
      };
    };
  };
  return {
    'claim-approved': compose('claim-approved', (c, _name, link) => ({
      subject: `Your claim for ${pounds(c.totalPence)} is approved`,
      lines: [
        `We have approved your claim for ${pounds(c.totalPence)}.`,
        c.payAs === 'voucher'
          ? 'We will send your voucher soon.'
          : c.financeHasBankDetails
            ? 'Our finance team will pay it into the bank account they have for you.'
            : 'Our finance team will contact you for your bank details. We never ask for them by email.',
        'We will email you again when it has been paid.',
        '',
        'See your claim:',
        link,
      ],
    })),
    'claim-rejected': compose('claim-rejected', (c, _name, link) => ({
      subject: 'We could not approve your claim',
      lines: [
        `We could not approve your claim for ${pounds(c.totalPence)}.`,
        '',
        `Why: ${c.rejectedReason ?? 'no reason was given'}`,
        '',
        'If something is missing or wrong, you can make a new claim. If you want to talk about it, reply to this email.',
        '',
        'See your claim:',
        link,
      ],
    })),
    'claim-paid': compose('claim-paid', (c, _name, link) => ({
      subject: `Your claim for ${pounds(c.totalPence)} has been paid`,
      lines: [
        c.payAs === 'voucher'
          ? `Your voucher for ${pounds(c.totalPence)} has been sent.`
          : `We have paid ${pounds(c.totalPence)}. It can take up to 3 working days to reach your account.`,
        '',
        'See your claim:',
        link,
      ],
    })),
  };
}
