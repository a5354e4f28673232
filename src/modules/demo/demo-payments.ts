import type { Actor } from '../../plugins/access.ts';
import type { BoardsLookup } from '../boards/boards-lookup.ts';
import type { PeopleService } from '../people/people-service.ts';
import type { ClaimInput, PaymentsService } from '../payments/payments-service.ts';
import { londonDay } from '../../lib/dates.ts';
import type { CheckedFile } from '../../lib/upload-field.ts';

/**
 * Where the demo's rates come from. We could not read the current figures of the published
 * guidance, so these figures are illustrative: an organisation sets its own from the guidance
 * named here, and says so on its rates page.
 */
export const DEMO_RATE_SOURCE =
  'Illustrative demo figures, not copied from the guidance: check the current rates before using them. ' +
  'In the spirit of NIHR’s “Payment guidance for researchers and professionals” (v1.6, August 2024; NIHR raised its public involvement rates by 10% from 16 December 2025) ' +
  'and NHS England’s “Working with our patient and public voice (PPV) partners: reimbursing expenses and paying involvement payments”.';

// The smallest real PNG: a 1 by 1 white pixel, as a photo of a bus ticket stands in for one.
const TICKET_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082',
  'hex',
);
const busTicket = (name: string): CheckedFile => ({ name, contentType: 'image/png', data: TICKET_PNG });

const DAY = 86_400_000;
const daysAgo = (n: number) => londonDay(new Date(Date.now() - n * DAY));

/**
 * The demo's rates, and claims at each stage: waiting (Joe Barker, for a board meeting he
 * attended, with a bus fare and its ticket), approved, not approved with a reason, and paid (one
 * made by staff on behalf of someone who posts a paper form). Made through the service, as staff
 * and people would, so every row and history entry is as the real thing makes it.
 *
 * `admin` and `staff` are two different members of staff: one makes the on-behalf claim, the other
 * approves it. Run after the boards demo, which records Joe at a meeting; without one, his claim is skipped.
 */
export async function seedDemoPayments(
  deps: {
    payments: PaymentsService;
    people: Pick<PeopleService, 'findActiveByEmail' | 'list'>;
    boardsLookup: Pick<BoardsLookup, 'attendedMeetings'>;
  },
  opts: { admin: Actor; staff: Actor },
): Promise<void> {
  const { payments } = deps;
  await payments.setRates(opts.admin, [
    { activity: 'meeting', paid: true, perHour: 2500, perHalfDay: 7500, perDay: 15000, currency: 'GBP', source: DEMO_RATE_SOURCE },
    { activity: 'session', paid: true, perHour: 2500, perHalfDay: 7500, perDay: 15000, currency: 'GBP', source: DEMO_RATE_SOURCE },
    { activity: 'workshop_day', paid: true, perHour: null, perHalfDay: 7500, perDay: 15000, currency: 'GBP', source: DEMO_RATE_SOURCE },
    { activity: 'preparation', paid: true, perHour: 2500, perHalfDay: null, perDay: null, currency: 'GBP', source: DEMO_RATE_SOURCE },
    {
      activity: 'other',
      paid: true,
      perHour: 2500,
      perHalfDay: 7500,
      perDay: 15000,
      currency: 'GBP',
      source:
        'Other involvement, agreed with us first: one-off work, and paper claims for time we have no attendance record of (demo). ' +
        DEMO_RATE_SOURCE,
    },
  ]);

  const byEmail = async (email: string) => (await deps.people.findActiveByEmail(email)) ?? null;
  const byName = async (name: string) => (await deps.people.list({ search: name, limit: 1 }))[0] ?? null;
  const claim = (personId: string, parts: Omit<ClaimInput, 'personId'>) => ({ personId, ...parts });

  // Waiting to be checked: Joe Barker's board meeting, as he would claim it (the demo participant).
  const joe = await byEmail('demo-participant@coproduce.example');
  const meeting = joe ? (await deps.boardsLookup.attendedMeetings(joe.id)).find((m) => m.endsAt.getTime() < Date.now()) : undefined;
  if (joe && meeting) {
    const minutes = Math.round((meeting.endsAt.getTime() - meeting.startsAt.getTime()) / 60_000);
    await payments.submitClaim(
      { personId: joe.id, role: 'participant' },
      claim(joe.id, {
        items: [
          { activity: 'meeting', date: londonDay(meeting.startsAt), minutes, sourceType: 'meeting', sourceId: meeting.meetingId },
          { activity: 'preparation', date: londonDay(meeting.startsAt), minutes: 60, description: 'Preparation: read the papers' },
        ],
        expenses: [{ kind: 'travel', amountPence: 450, note: 'Bus to County Hall and back', receipt: busTicket('bus-ticket.png') }],
        payAs: 'bank',
        financeHasBankDetails: false,
      }),
    );
  }

  // The claims below came on paper, for time we hold no attendance record of: staff type them in as
  // other involvement (time at a meeting or session must name the one attended, so it is paid once).

  // Approved, waiting for finance: Priya's workshop day and her taxi.
  const priya = await byEmail('priya.demo@coproduce.example');
  if (priya) {
    const { claim: c } = await payments.submitClaim(
      opts.staff,
      claim(priya.id, {
        items: [
          { activity: 'other', date: daysAgo(20), minutes: 330, description: 'Co-design workshop: the new discharge leaflet (demo)' },
        ],
        expenses: [{ kind: 'travel', amountPence: 1860, note: 'Accessible taxi both ways', receipt: busTicket('taxi-receipt.png') }],
        payAs: 'bank',
        financeHasBankDetails: true,
      }),
    );
    await payments.setStatus(opts.admin, c.id, { status: 'approved', note: 'Receipts checked.' });
  }

  // Not approved, with the reason: Chris claimed a meeting twice on paper.
  const chris = await byEmail('chris.demo@coproduce.example');
  if (chris) {
    const { claim: c } = await payments.submitClaim(
      opts.staff,
      claim(chris.id, {
        items: [{ activity: 'other', date: daysAgo(40), minutes: 120, description: 'Team-up board: January meeting (paper form, demo)' }],
        expenses: [],
        payAs: 'voucher',
        financeHasBankDetails: false,
      }),
    );
    await payments.setStatus(opts.admin, c.id, {
      status: 'rejected',
      note: 'This meeting is already in your claim of last month, which we have paid. If you meant a different meeting, please tell us which.',
    });
  }

  // Paid: Margaret posts her claims; staff type them in, and a colleague approves and pays.
  const margaret = await byName('Margaret Osei');
  if (margaret) {
    const { claim: c } = await payments.submitClaim(
      opts.staff,
      claim(margaret.id, {
        items: [{ activity: 'other', date: daysAgo(60), minutes: 150, description: 'Team-up board: December meeting (paper form, demo)' }],
        expenses: [{ kind: 'care', amountPence: 3000, note: 'Sitter for her husband while she was at the meeting' }],
        payAs: 'bank',
        financeHasBankDetails: true,
      }),
    );
    await payments.setStatus(opts.admin, c.id, { status: 'approved' });
    await payments.setStatus(opts.admin, c.id, { status: 'paid', note: 'Paid in the BACS run.' });
  }
}
