import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { failureView } from '../../lib/form-cycle.ts';
import { flags, idParams, uuid } from '../../lib/route-schemas.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/validation.ts';
import { actorOf, type Actor } from '../../plugins/access.ts';
import type { Access, App } from '../../plugins/types.ts';
import { isUploadedFile } from '../../plugins/uploads.ts';
import { draftValues, parseClaimForm, renderClaimForm, serviceFailure } from './claim-form.ts';
import { PAY_AS_LABELS } from './payments-schemas.ts';
import type { PaymentsService } from './payments-service.ts';
import { claimRow, claimView, taxYearView } from './payments-view.ts';

const SIGNED_IN = { access: 'signed-in' as const };
const receiptParams = z.object({ id: uuid, expenseId: uuid });
const changeQuery = z.object({ change: uuid.optional().catch(undefined) });

export type Deps = { payments: PaymentsService; config: Config };

/** Who to ask, in the words the pages use. */
export const contactOf = (config: Config) => `the ${config.branding.orgName} team who asked you to take part`;

/**
 * Serves a receipt to someone allowed to see it: never sniffed as anything else, and always
 * downloaded under its cleaned name, a photo or a PDF alike. (Shown in the page, a PDF would need
 * the browser's viewer, which a sandboxing policy stops; without one, a PDF could run script.)
 */
export async function sendReceipt(reply: FastifyReply, file: { data: Buffer; name: string; contentType: string }) {
  const ascii = file.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .type(file.contentType)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .send(file.data);
}

/**
 * Making a claim, for the person (under /claims) or for staff claiming for someone (under
 * /manage/claims): the form, the check-your-answers page of the draft, and sending it.
 */
export function claimFlow(
  app: App,
  deps: Deps,
  flow: { base: '/claims' | '/manage/claims'; config: { access: Access; hideWhenDenied?: boolean } },
) {
  const { payments } = deps;
  const staffFlow = flow.base === '/manage/claims';
  const formPath = (personId: string) => (staffFlow ? `/manage/claims/new/${personId}` : '/claims/new');

  async function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
    fresh = false,
  ) {
    const person = staffFlow
      ? await payments.findPerson(personId).catch(() => {
          throw new NotFoundError('No one with that id');
        })
      : null;
    const [offered, rates] = await Promise.all([payments.attendedToClaim(personId), payments.rates()]);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return renderClaimForm(
      reply,
      {
        title: person ? `Make a claim for ${person.name}` : 'Make a claim',
        caption: person ? 'On their behalf' : undefined,
        action: formPath(personId),
        back: staffFlow ? '/manage/claims/new' : '/claims',
        onBehalfOf: person?.name,
        offered,
        rates,
        values,
        failure,
        filesLost: !!failure && Object.values(body).some(isUploadedFile),
        fresh,
        contact: contactOf(deps.config),
      },
      status,
    );
  }

  async function startPage(request: FastifyRequest, reply: FastifyReply, personId: string, change: string | undefined) {
    if (change) {
      const d = await payments.get(actorOf(request), change);
      if (d.status === 'draft' && d.personId === personId) return formPage(request, reply, personId, draftValues(d));
    }
    return formPage(request, reply, personId, {}, undefined, 200, true);
  }

  async function takeForm(request: FastifyRequest, reply: FastifyReply, personId: string) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const offered = await payments.attendedToClaim(personId);
    const parsed = parseClaimForm(body, { personId, offered });
    if (!parsed.ok) return formPage(request, reply, personId, body, parsed, 400);
    try {
      const { claim } = await payments.prepareDraft(actorOf(request), parsed.data, {
        submissionKey: parsed.submissionKey,
        replaces: parsed.replaces,
      });
      if (claim.status !== 'draft') return reply.redirect(`${flow.base}/${claim.id}`, 303);
      return reply.redirect(`${flow.base}/${claim.id}/check`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return formPage(request, reply, personId, body, serviceFailure(err.errors, parsed), 400);
      if (err instanceof ConflictError) return formPage(request, reply, personId, body, summaryFailure(err.message, '#attended'), 409);
      throw err;
    }
  }

  if (staffFlow) {
    app.get(
      '/manage/claims/new/:personId',
      { config: flow.config, schema: { params: z.object({ personId: uuid }), querystring: changeQuery } },
      async (request, reply) => startPage(request, reply, request.params.personId, request.query.change),
    );
    app.post(
      '/manage/claims/new/:personId',
      { config: flow.config, schema: { params: z.object({ personId: uuid }) } },
      async (request, reply) => takeForm(request, reply, request.params.personId),
    );
  } else {
    app.get('/claims/new', { config: flow.config, schema: { querystring: changeQuery } }, async (request, reply) =>
      startPage(request, reply, actorOf(request).personId, request.query.change),
    );
    app.post('/claims/new', { config: flow.config }, async (request, reply) => takeForm(request, reply, actorOf(request).personId));
  }

  const checkPage = async (actor: Actor, reply: FastifyReply, id: string, failure?: FormFailure, status = 200) => {
    const d = await payments.get(actor, id);
    if (d.status !== 'draft') return reply.redirect(`${flow.base}/${id}`, 303);
    const c = claimView(d, { receiptBase: '/claims' });
    const forSomeone = !!d.madeBy;
    return reply.status(status).view('payments/views/check.njk', {
      title: forSomeone ? `Check the claim for ${d.personName} before you send it` : 'Check your claim before you send it',
      claim: c,
      onBehalfOf: forSomeone ? d.personName : null,
      sendText: forSomeone ? 'Send the claim' : 'Send my claim',
      timeHeading: forSomeone ? 'Their time' : 'Your time',
      expensesHeading: forSomeone ? 'Their expenses' : 'Your expenses',
      declined: d.payAs === 'decline',
      bankNeeded: d.payAs === 'bank' && !d.financeHasBankDetails,
      payAsText: PAY_AS_LABELS[d.payAs],
      changeUrl: `${formPath(d.personId!)}?change=${d.id}`,
      submitAction: `${flow.base}/${d.id}/submit`,
      discardAction: `${flow.base}/${d.id}/discard`,
      contact: contactOf(deps.config),
      ...failureView(failure),
    });
  };
  app.get(`${flow.base}/:id/check`, { config: flow.config, schema: { params: idParams } }, async (request, reply) =>
    checkPage(actorOf(request), reply, request.params.id),
  );
  app.post(`${flow.base}/:id/submit`, { config: flow.config, schema: { params: idParams } }, async (request, reply) => {
    try {
      const sent = await payments.submitDraft(actorOf(request), request.params.id);
      return reply.redirect(`${flow.base}/${sent.id}?sent=1`, 303);
    } catch (err) {
      if (err instanceof ConflictError)
        return checkPage(actorOf(request), reply, request.params.id, summaryFailure(err.message, '#send'), 409);
      throw err;
    }
  });
  app.post(`${flow.base}/:id/discard`, { config: flow.config, schema: { params: idParams } }, async (request, reply) => {
    try {
      await payments.discardDraft(actorOf(request), request.params.id);
    } catch (err) {
      if (err instanceof ConflictError) return reply.redirect(`${flow.base}/${request.params.id}`, 303);
      throw err;
    }
    return reply.redirect(staffFlow ? '/manage/claims?discarded=1' : '/claims?discarded=1', 303);
  });
}

/** The person's own claims: what they claimed this tax year, their claims, and making one. */
export function paymentsRoutes(app: App, deps: Deps) {
  const { payments } = deps;

  app.get('/claims', { config: SIGNED_IN, schema: { querystring: flags('discarded') } }, async (request, reply) => {
    const actor = actorOf(request);
    const [mine, year] = await Promise.all([payments.mine(actor), payments.taxYear(actor.personId)]);
    return reply.view('payments/views/claims.njk', {
      title: 'Your claims',
      claims: mine.map(claimRow),
      year: taxYearView(year),
      discarded: !!request.query.discarded,
    });
  });

  claimFlow(app, deps, { base: '/claims', config: SIGNED_IN });

  app.get('/claims/:id', { config: SIGNED_IN, schema: { params: idParams, querystring: flags('sent') } }, async (request, reply) => {
    const actor = actorOf(request);
    const d = await payments.get(actor, request.params.id);
    if (d.status === 'draft') return reply.redirect(`${d.madeBy ? '/manage/claims' : '/claims'}/${d.id}/check`, 303);
    // Staff read a claim on its staff page; their own claims they read here like anyone.
    if (d.personId !== actor.personId) return reply.redirect(`/manage/claims/${d.id}`, 303);
    return reply.view('payments/views/claim.njk', {
      title: `Your claim of ${claimRow(d).madeOn}`,
      claim: claimView(d, { receiptBase: '/claims' }),
      sent: !!request.query.sent,
      bankNeeded: d.payAs === 'bank' && !d.financeHasBankDetails,
      contact: contactOf(deps.config),
    });
  });

  app.get('/claims/:id/receipts/:expenseId', { config: SIGNED_IN, schema: { params: receiptParams } }, async (request, reply) =>
    sendReceipt(reply, await payments.receipt(actorOf(request), request.params.id, request.params.expenseId)),
  );
}
