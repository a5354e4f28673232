import { z } from 'zod';
import type { Application, Cohort, Programme } from '../../db/schema.ts';
import { UUID } from '../../db/ids.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';
import { idParams } from '../../lib/route-schemas.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { listQuerySchema, pageSchema, problems, requireJson, STAFF_API } from '../api/api-common.ts';
import { sessionInputSchema } from '../events/events-schemas.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import { publicCertificate, type CertificatesService } from './certificates-service.ts';
import type { CohortService } from './cohort-service.ts';
import {
  applicationInputSchema,
  applicationOutSchema,
  attendanceInputSchema,
  attendanceOutSchema,
  certificateStatusSchema,
  cohortInputSchema,
  cohortOutSchema,
  cohortSessionOutSchema,
  graduationOutSchema,
  programmeInputSchema,
  programmeOutSchema,
  programmeWithCohortsSchema,
  revokeInputSchema,
  statusChangeSchema,
} from './programmes-schemas.ts';
import type { ProgrammesService } from './programmes-service.ts';
import { mixOf } from './selection.ts';

/** Applications page in the order they came. */
const applicationsKey = z.strictObject({ id: z.string().regex(UUID) });
const serialParams = z.object({ serial: z.string().max(40) });
const OPEN = { access: 'public', api: true } as const;

const programmeOut = (p: Programme): z.infer<typeof programmeOutSchema> => ({
  id: p.id,
  title: p.title,
  summary: p.summary,
  easyReadSummary: p.easyReadSummary,
  whoFor: p.whoFor,
  placesPerCohort: p.placesPerCohort,
  partners: p.partners,
  mixTarget: p.livedMinShare === null ? null : { livedMinShare: p.livedMinShare },
  trackedQuestionKeys: p.trackedQuestionKeys,
  graduationRule: { minSessionsAttended: p.minSessionsAttended, projectRequired: p.projectRequired },
  applicationFormId: p.applicationFormId,
});

const applicationOut = (a: Application): z.infer<typeof applicationOutSchema> => ({
  id: a.id,
  cohortId: a.cohortId,
  personId: a.personId,
  status: a.status,
  answers: a.answers,
  onBehalf: !!a.submittedBy && a.submittedBy !== a.personId,
  createdAt: a.createdAt.toISOString(),
});

/** "Programmes, cohorts and certificates" of the v1 contract. */
/** A cohort session as the API lists it. */
const sessionSummary = (s: { id: string; title: string; kind: string; startsAt: Date; endsAt: Date; format: string }) => ({
  id: s.id,
  title: s.title,
  kind: s.kind,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  format: s.format,
});

export function programmesApiRoutes(
  app: App,
  deps: {
    programmes: ProgrammesService;
    cohorts: CohortService;
    certificates: CertificatesService;
    events: EventsService;
    registrations: RegistrationsService;
  },
) {
  const { programmes, cohorts, certificates } = deps;
  const staff = (summary: string, response: Record<number, unknown>) => ({
    config: STAFF_API,
    schema: { summary, params: idParams, response },
  });
  const json = <B extends z.ZodType>(summary: string, body: B, response: Record<number, unknown>) => ({
    config: STAFF_API,
    preValidation: requireJson,
    schema: { summary, params: idParams, body, response },
  });

  async function cohortOut(c: Cohort): Promise<z.infer<typeof cohortOutSchema>> {
    const [held, sessions] = await Promise.all([
      programmes.applicationsOf(c.id, { statuses: ['offered', 'accepted'] }),
      programmes.sessionsOf(c),
    ]);
    const experienceMix = (rows: typeof held) => {
      const { lived, professional, both } = mixOf(rows, { places: c.places, livedMinShare: null, tracked: [] });
      return { lived, professional, both };
    };
    const members = held.filter((a) => a.status === 'accepted');
    return {
      id: c.id,
      programmeId: c.programmeId,
      name: c.name,
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      places: c.places,
      applicationsOpen: c.applicationsOpen,
      graduatedAt: c.graduatedAt?.toISOString() ?? null,
      members: members.length,
      offered: held.length - members.length,
      mix: experienceMix(members),
      mixIncludingOffers: experienceMix(held),
      sessions: sessions.map(sessionSummary),
    };
  }

  app.post(
    '/api/v1/programmes',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Create a programme: places per cohort, mix target, graduation rule',
        body: programmeInputSchema,
        response: { 201: programmeOutSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(programmeOut(await programmes.createProgramme(actorOf(request), request.body))),
  );
  app.get(
    '/api/v1/programmes/:id',
    staff('A programme and its cohorts', { 200: programmeWithCohortsSchema, ...problems(401, 403, 404) }),
    async (request) => {
      const p = await programmes.getProgramme(request.params.id);
      return {
        ...programmeOut(p),
        cohorts: (await programmes.cohortsOf(p.id)).map((r) => ({
          id: r.cohort.id,
          name: r.cohort.name,
          startsOn: r.cohort.startsOn,
          endsOn: r.cohort.endsOn,
        })),
      };
    },
  );

  app.post(
    '/api/v1/programmes/:id/cohorts',
    json('Add a cohort (places default to the programme’s)', cohortInputSchema, {
      201: cohortOutSchema,
      ...problems(400, 401, 403, 404, 415),
    }),
    async (request, reply) =>
      reply.status(201).send(await cohortOut(await programmes.createCohort(actorOf(request), request.params.id, request.body))),
  );
  app.get(
    '/api/v1/cohorts/:id',
    staff('A cohort: places, members, the mix, its sessions', { 200: cohortOutSchema, ...problems(401, 403, 404) }),
    async (request) => cohortOut(await programmes.getCohort(request.params.id)),
  );

  app.post(
    '/api/v1/cohorts/:id/sessions',
    json(
      'Add a session to the cohort’s schedule (kind: workshop, the default, counts towards graduation; catch_up does not)',
      sessionInputSchema,
      {
        201: cohortSessionOutSchema,
        ...problems(400, 401, 403, 404, 409, 415),
      },
    ),
    async (request, reply) => {
      const session = await programmes.addSession(actorOf(request), request.params.id, request.body);
      const s = await deps.events.getSession(session.id);
      return reply.status(201).send({ ...sessionSummary(s), capacity: s.capacity });
    },
  );

  app.post(
    '/api/v1/cohorts/:id/applications',
    json('Apply for someone (the same person again → 200 with the first application)', applicationInputSchema, {
      201: applicationOutSchema,
      200: applicationOutSchema.describe('Already applied: the first application'),
      ...problems(400, 401, 403, 404, 409, 415),
    }),
    async (request, reply) => {
      const input = request.body;
      const who = 'personId' in input ? { personId: input.personId } : { person: input.person };
      const { application, created } = await programmes.apply(actorOf(request), request.params.id, {
        who,
        answers: input.answers,
        helpedBy: input.helpedBy,
      });
      return reply.status(created ? 201 : 200).send(applicationOut(application));
    },
  );

  app.get(
    '/api/v1/cohorts/:id/applications',
    {
      config: STAFF_API,
      schema: {
        summary: 'Applications to the cohort, in the order they came',
        params: idParams,
        querystring: listQuerySchema,
        response: { 200: pageSchema(applicationOutSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const cohort = await programmes.getCohort(request.params.id);
      const after = decodeCursor(applicationsKey, request.query.cursor);
      const rows = await programmes.applicationsOf(cohort.id, { after: after?.id, limit: request.query.limit + 1 });
      const page = pageOf(rows, request.query.limit, (a) => ({ id: a.id }));
      return { items: page.items.map(applicationOut), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/applications/:id/status',
    json(
      'Move an application on (allowed moves only, otherwise 409; an offer over the places is 409; an offer that breaks the mix target stands, with a warning)',
      statusChangeSchema,
      {
        200: applicationOutSchema.extend({ warnings: z.array(z.string()) }),
        ...problems(400, 401, 403, 404, 409, 415),
      },
    ),
    async (request) => {
      // An integration has no one to ask "offer anyway?": it is told, and the offer stands.
      const { application, warning } = await programmes.changeStatus(actorOf(request), request.params.id, request.body.status, {
        offerAnyway: true,
      });
      return { ...applicationOut(application), warnings: warning ? [warning] : [] };
    },
  );

  app.post(
    '/api/v1/sessions/:id/attendance',
    json(
      'Record whether someone came (cohort sessions: members only, once the session has started; event sessions: checks in a registration)',
      attendanceInputSchema,
      {
        200: attendanceOutSchema,
        ...problems(400, 401, 403, 404, 409, 415),
      },
    ),
    async (request) => {
      const { personId, attended } = request.body;
      const actor = actorOf(request);
      const session = await deps.events.getSession(request.params.id);
      const event = await deps.events.get(session.eventId);
      if (event.kind === 'cohort') {
        await cohorts.recordAttendance(actor, session.id, [{ personId, attended }]);
        return { sessionId: session.id, personId, attended };
      }
      const registration = await deps.registrations.markAttendance(session.id, personId, attended);
      return { sessionId: session.id, personId, attended: registration.status === 'attended' };
    },
  );

  app.post(
    '/api/v1/cohorts/:id/graduation',
    staff('Graduate the cohort once: certificates for everyone who met the rule, reasons for the rest (again → 409)', {
      200: graduationOutSchema,
      ...problems(401, 403, 404, 409),
    }),
    async (request) => certificates.graduate(actorOf(request), request.params.id),
  );

  // Public: anyone holding a certificate's number may check it, without a token.
  app.get(
    '/api/v1/certificates/:serial',
    {
      config: OPEN,
      schema: {
        summary: 'Check a certificate (no token needed): valid or revoked, and no other personal data',
        params: serialParams,
        response: { 200: certificateStatusSchema, ...problems(404) },
      },
    },
    async (request) => publicCertificate(await certificates.get(request.params.serial)),
  );
  app.get(
    '/api/v1/certificates/:serial/credential.json',
    {
      config: OPEN,
      schema: {
        summary: 'The Open Badges 3.0 credential, signed (eddsa-jcs-2022, did:key Ed25519)',
        params: serialParams,
        response: { 200: z.looseObject({}).describe('A Verifiable Credential'), ...problems(404) },
      },
    },
    async (request, reply) => {
      const c = await certificates.get(request.params.serial);
      // Erased at the person's request: the signed file held their name, so it is gone.
      if (!Object.keys(c.credential).length) throw new NotFoundError('This credential is no longer available');
      return reply
        .type('application/json')
        .header('content-disposition', `attachment; filename="certificate-${c.serial}.json"`)
        .send(c.credential);
    },
  );
  app.post(
    '/api/v1/credentials/verify',
    {
      config: OPEN,
      preValidation: requireJson,
      schema: {
        summary: 'Check a credential: its signature, our key, and whether it is revoked',
        body: z.unknown().describe('An Open Badges 3.0 credential as issued'),
        response: {
          200: z.looseObject({ verified: z.boolean() }).describe('{ verified, reason?, certificate? }'),
          ...problems(400, 413, 415),
        },
      },
    },
    async (request) => certificates.check(request.body),
  );
  app.get(
    '/api/v1/issuer',
    {
      config: OPEN,
      schema: {
        summary: 'The issuer profile with its verification key (Multikey)',
        response: { 200: z.looseObject({}).describe('An Open Badges Profile') },
      },
    },
    async () => certificates.issuerProfile(),
  );
  app.post(
    '/api/v1/certificates/:serial/revoke',
    {
      config: STAFF_API,
      preValidation: requireJson,
      schema: {
        summary: 'Revoke a certificate, saying why',
        params: serialParams,
        body: revokeInputSchema,
        response: { 200: certificateStatusSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const c = await certificates.get(request.params.serial);
      return publicCertificate(await certificates.revoke(actorOf(request), c.id, request.body.reason));
    },
  );
}
