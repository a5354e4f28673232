import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CLAIM_STATUSES, type ClaimStatus } from '../../db/schema.ts';
import { failureView, formCycle } from '../../lib/form-cycle.ts';
import { formFailure, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { RATE_RULE_TEXT } from './payments-rates.ts';
import { claimFlow, contactOf, type Deps } from './payments-routes.ts';
import { claimsCursorSchema, parseRatesForm, STATUS_LABELS, statusFormSchema } from './payments-schemas.ts';
import { FINANCE_CSV_COLUMNS } from './payments-service.ts';
import { claimRow, claimView, rateRows, taxYearView } from './payments-view.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };
const listQuery = z.object({
  status: z.enum(CLAIM_STATUSES).optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
  discarded: z.string().max(10).optional().catch(undefined),
});
/** Claims on one page of the staff list; the next page follows on from the last one shown. */
export const CLAIMS_PAGE = 100;
const csvQuery = z.object({ status: z.enum(CLAIM_STATUSES).default('approved').catch('approved') });

/** What the finance export's columns hold, for the page that offers it and for the API's description. */
export const FINANCE_CSV_DOC: Record<(typeof FINANCE_CSV_COLUMNS)[number], string> = {
  claim_id: 'The claim’s id',
  claimant_name: 'The name of the person paid',
  claimant_email: 'Their email address (blank if they have none)',
  pay_as: 'bank, voucher or decline (declined payment for time; expenses are still paid back)',
  finance_has_bank_details: 'yes if finance already has their bank details, no if finance must ask for them',
  time_total: 'Payment for time, in pounds (12.50)',
  expenses_total: 'Expenses paid back, in pounds',
  total: 'time_total plus expenses_total, in pounds',
  approved_on: 'The day it was approved (YYYY-MM-DD)',
  approved_by: 'Who approved it',
  paid_on: 'The day it was marked paid (YYYY-MM-DD), blank until then',
};

/** Staff: the claims list by status, a claim and its moves, claiming for someone, the rates, and finance's export. */
export function paymentsManageRoutes(app: App, deps: Deps) {
  const { payments } = deps;

  app.get('/manage/claims', { config: STAFF, schema: { querystring: listQuery } }, async (request, reply) => {
    const status = request.query.status;
    // A cursor that does not read (edited by hand, or from an old link) starts from the newest.
    const after = (() => {
      try {
        return decodeCursor(claimsCursorSchema, request.query.cursor);
      } catch {
        return undefined;
      }
    })();
    const [rows, counts, before] = await Promise.all([
      payments.list({ status, after, limit: CLAIMS_PAGE + 1 }),
      payments.counts(),
      after ? payments.countNewer({ status, after }) : 0,
    ]);
    const page = pageOf(rows, CLAIMS_PAGE, (c) => ({ at: (c.submittedAt ?? c.createdAt).toISOString(), id: c.id }));
    const sent = counts.submitted + counts.approved + counts.rejected + counts.paid;
    const total = status ? counts[status] : sent;
    const withStatus = status ? `status=${status}&` : '';
    return reply.view('payments/views/manage-list.njk', {
      title: 'Claims',
      claims: page.items.map(claimRow),
      showing: page.items.length
        ? `Showing ${before + 1} to ${before + page.items.length} of ${total} ${total === 1 ? 'claim' : 'claims'}, newest first`
        : '',
      nextUrl: page.nextCursor ? `/manage/claims?${withStatus}cursor=${page.nextCursor}` : '',
      newestUrl: after ? `/manage/claims${status ? `?status=${status}` : ''}` : '',
      filters: [
        { href: '/manage/claims', text: `All (${sent})`, current: !status },
        ...CLAIM_STATUSES.map((s) => ({
          href: `/manage/claims?status=${s}`,
          text: `${STATUS_LABELS[s]} (${counts[s]})`,
          current: status === s,
        })),
      ],
      statusText: status ? STATUS_LABELS[status] : 'All claims',
      approvedCount: counts.approved,
      discarded: !!request.query.discarded,
      columns: FINANCE_CSV_COLUMNS.map((c) => ({ name: c, means: FINANCE_CSV_DOC[c] })),
    });
  });

  app.get('/manage/claims.csv', { config: STAFF, schema: { querystring: csvQuery } }, async (request, reply) => {
    const csv = await payments.financeCsv(request.query.status);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="claims-${request.query.status}.csv"`)
      .send(csv);
  });

  // ---- the rates ---------------------------------------------------------------------------------
  const ratesPage = async (
    reply: FastifyReply,
    values: Record<string, unknown> | null,
    failure?: FormFailure,
    status = 200,
    saved = false,
  ) => {
    const rates = await payments.rates();
    const v =
      values ??
      Object.fromEntries(
        rates.flatMap((r) => [
          [`${r.activity}_paid`, r.paid ? 'yes' : 'no'],
          [`${r.activity}_perHour`, r.perHour === null ? '' : (r.perHour / 100).toFixed(2)],
          [`${r.activity}_perHalfDay`, r.perHalfDay === null ? '' : (r.perHalfDay / 100).toFixed(2)],
          [`${r.activity}_perDay`, r.perDay === null ? '' : (r.perDay / 100).toFixed(2)],
          [`${r.activity}_source`, r.source ?? ''],
        ]),
      );
    const f = failureView(failure);
    return reply.status(status).view('payments/views/rates.njk', {
      title: 'Rates for people’s time',
      rates: rateRows(rates),
      ruleText: RATE_RULE_TEXT,
      saved,
      fields: rateRows(rates).map((r) => ({
        activity: r.activity,
        label: r.label,
        paidItems: [
          { value: 'yes', text: 'Paid', checked: v[`${r.activity}_paid`] === 'yes' },
          { value: 'no', text: 'Not paid', checked: v[`${r.activity}_paid`] !== 'yes' },
        ],
        perHour: String(v[`${r.activity}_perHour`] ?? ''),
        perHalfDay: String(v[`${r.activity}_perHalfDay`] ?? ''),
        perDay: String(v[`${r.activity}_perDay`] ?? ''),
        source: String(v[`${r.activity}_source`] ?? ''),
        errors: {
          perHour: f.errors[`${r.activity}_perHour`] ?? null,
          perHalfDay: f.errors[`${r.activity}_perHalfDay`] ?? null,
          perDay: f.errors[`${r.activity}_perDay`] ?? null,
          source: f.errors[`${r.activity}_source`] ?? null,
        },
      })),
      ...f,
    });
  };
  app.get('/manage/claims/rates', { config: STAFF, schema: { querystring: flags('saved') } }, async (request, reply) =>
    ratesPage(reply, null, undefined, 200, !!request.query.saved),
  );
  app.post('/manage/claims/rates', { config: STAFF }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseRatesForm(body);
    if (!parsed.ok) return ratesPage(reply, body, formFailure(parsed.errors), 400);
    try {
      await payments.setRates(actorOf(request), parsed.data);
    } catch (err) {
      if (err instanceof ValidationError) return ratesPage(reply, body, formFailure(err.errors), 400);
      throw err;
    }
    return reply.redirect('/manage/claims/rates?saved=1', 303);
  });

  // ---- claiming for someone -------------------------------------------------------------------------
  app.get(
    '/manage/claims/new',
    { config: STAFF, schema: { querystring: z.object({ q: z.string().trim().max(100).optional().catch(undefined) }) } },
    async (request, reply) => {
      const q = request.query.q ?? '';
      const found = q ? await payments.findPeople(q) : [];
      return reply.view('payments/views/manage-find-person.njk', {
        title: 'Make a claim for someone',
        q,
        found: found.map((p) => ({ id: p.id, name: p.name, organisation: p.organisation ?? '' })),
      });
    },
  );
  claimFlow(app, deps, { base: '/manage/claims', config: STAFF });

  // ---- one claim ------------------------------------------------------------------------------------
  const claimPage = async (
    reply: FastifyReply,
    id: string,
    opts: { failure?: FormFailure; flags?: Record<string, unknown>; values?: Record<string, unknown> } = {},
    status = 200,
  ) => {
    const actor = actorOf(reply.request);
    const d = await payments.get(actor, id);
    if (d.status === 'draft') return reply.redirect(`/manage/claims/${d.id}/check`, 303);
    const year = d.personId ? taxYearView(await payments.taxYear(d.personId, d.paidAt ?? d.submittedAt ?? new Date())) : null;
    const own = d.personId === actor.personId;
    const moves = (
      {
        submitted: [
          { value: 'approved', text: 'Approve it' },
          { value: 'rejected', text: 'Do not approve it (say why below)' },
        ],
        approved: [{ value: 'paid', text: 'Mark it paid' }],
      } as Record<string, { value: ClaimStatus; text: string }[]>
    )[d.status];
    const chosen = opts.values?.status;
    return reply.status(status).view('payments/views/manage-claim.njk', {
      title: `Claim by ${d.personName}`,
      claim: claimView(d, { receiptBase: '/claims' }),
      year,
      own,
      madeItForThem: d.madeBy === actor.personId,
      waiting: d.status === 'submitted',
      moveItems: (moves ?? []).map((m) => ({ ...m, checked: chosen === m.value })),
      note: String(opts.values?.note ?? ''),
      flags: opts.flags ?? {},
      contact: contactOf(deps.config),
      ...failureView(opts.failure),
    });
  };
  app.get(
    '/manage/claims/:id',
    { config: STAFF, schema: { params: idParams, querystring: flags('sent', 'moved') } },
    async (request, reply) => claimPage(reply, request.params.id, { flags: request.query }),
  );
  app.post('/manage/claims/:id/status', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>;
    try {
      return await formCycle(reply, {
        schema: statusFormSchema,
        body: request.body,
        run: (data) => payments.setStatus(actorOf(request), request.params.id, data),
        redirect: (c) => `/manage/claims/${c.id}?moved=${c.status}`,
        again: (failure, status) => claimPage(reply, request.params.id, { failure, values }, status),
        conflict: (err) => summaryFailure(err.message, '#status'),
      });
    } catch (err) {
      if (err instanceof ForbiddenError)
        return claimPage(reply, request.params.id, { failure: summaryFailure(err.message, '#status'), values }, 403);
      if (err instanceof ConflictError)
        return claimPage(reply, request.params.id, { failure: summaryFailure(err.message, '#status'), values }, 409);
      throw err;
    }
  });
}
