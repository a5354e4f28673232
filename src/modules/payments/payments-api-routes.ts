import { z } from 'zod';
import type { ClaimStatus } from '../../db/schema.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import { FINANCE_CSV_DOC } from './payments-manage-routes.ts';
import {
  claimInputSchema,
  claimsCursorSchema,
  claimOutSchema,
  claimsQuerySchema,
  csvQuerySchema,
  ratesInputSchema,
  ratesOutSchema,
  statusInputSchema,
  type ClaimApiInput,
} from './payments-schemas.ts';
import { FINANCE_CSV_COLUMNS, type ClaimInput, type ClaimWithParts, type PaymentsService, type RateView } from './payments-service.ts';

const pounds = (pence: number) => Math.round(pence) / 100;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const rateOut = (r: RateView): z.infer<typeof ratesOutSchema>['rates'][number] => ({
  activity: r.activity,
  paid: r.paid,
  perHour: r.perHour === null ? null : pounds(r.perHour),
  perHalfDay: r.perHalfDay === null ? null : pounds(r.perHalfDay),
  perDay: r.perDay === null ? null : pounds(r.perDay),
  currency: 'GBP',
  source: r.source,
  updatedAt: iso(r.updatedAt),
});

export const claimOut = (c: ClaimWithParts): z.infer<typeof claimOutSchema> => ({
  id: c.id,
  personId: c.personId,
  status: c.status as ClaimStatus,
  payAs: c.payAs,
  financeHasBankDetails: c.financeHasBankDetails,
  items: c.items.map((i) => ({
    activity: i.activity,
    date: i.onDate,
    hours: Math.round((i.minutes / 60) * 10000) / 10000,
    sourceId: i.sourceId,
    description: i.description,
    amount: pounds(i.amountPence),
  })),
  expenses: c.expenses.map((e) => ({ id: e.id, kind: e.kind, amount: pounds(e.amountPence), note: e.note, receiptName: e.receiptName })),
  timeTotal: pounds(c.timePence),
  expensesTotal: pounds(c.expensesPence),
  total: pounds(c.totalPence),
  note: c.note,
  madeBy: c.madeBy,
  submittedAt: iso(c.submittedAt),
  decidedBy: c.decidedBy,
  decidedAt: iso(c.decidedAt),
  rejectedReason: c.rejectedReason,
  paidAt: iso(c.paidAt),
  anonymised: !!c.anonymisedAt,
  history: c.updates.map((u) => ({ status: u.status, note: u.note, by: u.byPerson, at: u.at.toISOString() })),
});

/** The API speaks pounds and hours; the service, pence and minutes. */
const claimInput = (b: ClaimApiInput): ClaimInput => ({
  personId: b.personId,
  items: b.items.map((i) => ({
    activity: i.activity,
    date: i.date,
    minutes: Math.round(i.hours * 60),
    sourceId: i.sourceId,
    description: i.description,
  })),
  expenses: b.expenses.map((e) => ({ kind: e.kind, amountPence: e.amount, note: e.note || undefined })),
  payAs: b.payAs,
  financeHasBankDetails: b.financeHasBankDetails ?? false,
  note: b.note || undefined,
});

const csvDescription = `The finance export, always in these columns: ${FINANCE_CSV_COLUMNS.map((c) => `${c} (${FINANCE_CSV_DOC[c]})`).join('; ')}. Amounts are pounds with two decimals.`;

/** "Paying people for their time" of the v1 contract. */
export function paymentsApiRoutes(app: App, deps: { payments: PaymentsService }) {
  const { payments } = deps;

  app.get(
    '/api/v1/payment-rates',
    {
      config: STAFF_API,
      schema: { summary: 'The rates for people’s time, per activity', response: { 200: ratesOutSchema, ...problems(401, 403) } },
    },
    async () => ({ rates: (await payments.rates()).map(rateOut) }),
  );
  app.put(
    '/api/v1/payment-rates',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary:
          'Set the rates for the activities given (amounts in pounds; the others keep theirs). A claim uses the day rate for 5 hours or more, the half-day rate for 2.5 up to 5 hours, else the hourly rate.',
        body: ratesInputSchema,
        response: { 200: ratesOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      await payments.setRates(actorOf(request), request.body.rates);
      return { rates: (await payments.rates()).map(rateOut) };
    },
  );

  app.post(
    '/api/v1/claims',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary:
          'Make a claim for someone: the meetings, sessions and workshop days they attended (each needs its sourceId), preparation for them, other time, expenses (pounds) and how they are paid. Amounts for time are worked out from the rates; no one is paid for more than 24 hours of one day. Notes must not hold bank details. An optional submissionKey makes a retry safe: the same key with the same claim returns it (200); with a different claim, 409.',
        body: claimInputSchema,
        response: { 200: claimOutSchema, 201: claimOutSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { claim, repeated } = await payments.submitClaim(actorOf(request), claimInput(request.body), {
        submissionKey: request.body.submissionKey,
      });
      return reply.status(repeated ? 200 : 201).send(claimOut(await payments.detail(claim)));
    },
  );

  app.get(
    '/api/v1/claims',
    {
      config: STAFF_API,
      schema: {
        summary: 'Claims, newest first; ?status=approved for those waiting to be paid',
        querystring: claimsQuerySchema,
        response: { 200: pageSchema(claimOutSchema), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const after = decodeCursor(claimsCursorSchema, request.query.cursor);
      const rows = await payments.list({ status: request.query.status, after, limit: request.query.limit + 1 });
      const page = pageOf(rows, request.query.limit, (c) => ({ at: (c.submittedAt ?? c.createdAt).toISOString(), id: c.id }));
      return { items: (await payments.withParts(page.items)).map(claimOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/claims.csv',
    {
      config: STAFF_API,
      schema: {
        summary: 'The finance export (CSV) of claims in a status, approved unless another is asked for',
        description: csvDescription,
        querystring: csvQuerySchema,
        response: {
          200: { description: 'The export as CSV', content: { 'text/csv': { schema: z.string() } } },
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="claims-${request.query.status}.csv"`)
        .send(await payments.financeCsv(request.query.status)),
  );

  app.get(
    '/api/v1/claims/:id',
    {
      config: STAFF_API,
      schema: {
        summary: 'A claim with its items, expenses and history',
        params: idParams,
        response: { 200: claimOutSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const d = await payments.get(actorOf(request), request.params.id);
      if (d.status === 'draft') throw new NotFoundError('No claim with that id');
      return claimOut(d);
    },
  );

  app.post(
    '/api/v1/claims/:id/status',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Move a claim on: submitted to approved or rejected (with a note saying why), approved to paid; anything else is 409',
        params: idParams,
        body: statusInputSchema,
        response: { 200: claimOutSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const c = await payments.setStatus(actorOf(request), request.params.id, request.body);
      return claimOut(await payments.detail(c));
    },
  );
}
