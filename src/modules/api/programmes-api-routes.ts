import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APPLICATION_STATUSES, type Application, type Cohort, type Programme } from '../../db/schema.ts';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import { sessionInputSchema } from '../events/events-schemas.ts';
import type { EventsService } from '../events/events-service.ts';
import type { RegistrationsService } from '../events/registrations-service.ts';
import type { CertificatesService } from '../programmes/certificates-service.ts';
import { publicCertificate } from '../programmes/certificates-service.ts';
import type { CohortService } from '../programmes/cohort-service.ts';
import { applicationInputSchema, attendanceInputSchema, cohortInputSchema, programmeInputSchema, revokeInputSchema, statusChangeSchema } from '../programmes/programmes-schemas.ts';
import type { ProgrammesService } from '../programmes/programmes-service.ts';
import { mixOf } from '../programmes/selection.ts';
import { listQuerySchema, parseApi, requireJson, STAFF_API } from './api-common.ts';

export const programmeOutSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  easyReadSummary: z.string().nullable(),
  whoFor: z.string().nullable(),
  placesPerCohort: z.number().int(),
  partners: z.array(z.string()),
  mixTarget: z.object({ livedMinShare: z.number() }).nullable(),
  trackedQuestionKeys: z.array(z.string()),
  graduationRule: z.object({ minSessionsAttended: z.number().int(), projectRequired: z.boolean() }),
  applicationFormId: z.string().nullable(),
});

const mixSchema = z.object({ lived: z.number().int(), professional: z.number().int(), both: z.number().int() });
export const cohortOutSchema = z.object({
  id: z.string(),
  programmeId: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  places: z.number().int(),
  applicationsOpen: z.boolean(),
  graduatedAt: z.string().nullable(),
  members: z.number().int(),
  offered: z.number().int(),
  mix: mixSchema.describe('People who have accepted a place'),
  mixIncludingOffers: mixSchema.describe('People who have accepted or been offered a place: what the mix meter shows'),
  sessions: z.array(z.object({ id: z.string(), title: z.string(), kind: z.string(), startsAt: z.string(), endsAt: z.string(), format: z.string() })),
});

export const applicationOutSchema = z.object({
  id: z.string(),
  cohortId: z.string(),
  personId: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  answers: z.record(z.string(), z.unknown()),
  onBehalf: z.boolean(),
  createdAt: z.string(),
});

export const certificateStatusSchema = z.object({
  serial: z.string(),
  name: z.string(),
  achievement: z.string(),
  issuedOn: z.string(),
  issuer: z.string(),
  status: z.enum(['valid', 'revoked']),
});

export const graduationOutSchema = z.object({
  graduated: z.array(z.string()),
  notYet: z.array(z.object({ personId: z.string(), reason: z.string() })),
  certificates: z.array(z.object({ serial: z.string(), personId: z.string().nullable() })),
});

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
  onBehalf: !!a.submittedBy,
  createdAt: a.createdAt.toISOString(),
});

/** "Programmes, cohorts and certificates" of the v1 contract. */
export function programmesApiRoutes(app: FastifyInstance, deps: { programmes: ProgrammesService; cohorts: CohortService; certificates: CertificatesService; events: EventsService; registrations: RegistrationsService }) {
  const { programmes, cohorts, certificates } = deps;
  const json = { config: STAFF_API, preValidation: requireJson };

  async function cohortOut(c: Cohort): Promise<z.infer<typeof cohortOutSchema>> {
    const [held, sessions] = await Promise.all([programmes.applicationsOf(c.id, { statuses: ['offered', 'accepted'] }), programmes.sessionsOf(c)]);
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
      sessions: sessions.map((s) => ({ id: s.id, title: s.title, kind: s.kind, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), format: s.format })),
    };
  }

  app.post('/api/v1/programmes', json, async (request, reply) => reply.status(201).send(programmeOut(await programmes.createProgramme(actorOf(request), parseApi(programmeInputSchema, request.body)))));
  app.get<{ Params: { id: string } }>('/api/v1/programmes/:id', { config: STAFF_API }, async (request) => {
    const p = await programmes.getProgramme(request.params.id);
    return { ...programmeOut(p), cohorts: (await programmes.cohortsOf(p.id)).map((r) => ({ id: r.cohort.id, name: r.cohort.name, startsOn: r.cohort.startsOn, endsOn: r.cohort.endsOn })) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/programmes/:id/cohorts', json, async (request, reply) => {
    const cohort = await programmes.createCohort(actorOf(request), request.params.id, parseApi(cohortInputSchema, request.body));
    return reply.status(201).send(await cohortOut(cohort));
  });
  app.get<{ Params: { id: string } }>('/api/v1/cohorts/:id', { config: STAFF_API }, async (request) => cohortOut(await programmes.getCohort(request.params.id)));

  app.post<{ Params: { id: string } }>('/api/v1/cohorts/:id/sessions', json, async (request, reply) => {
    const session = await programmes.addSession(actorOf(request), request.params.id, parseApi(sessionInputSchema, request.body));
    const s = await deps.events.getSession(session.id);
    return reply.status(201).send({ id: s.id, title: s.title, kind: s.kind, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), format: s.format, capacity: s.capacity });
  });

  app.post<{ Params: { id: string } }>('/api/v1/cohorts/:id/applications', json, async (request, reply) => {
    const input = parseApi(applicationInputSchema, request.body);
    const who = 'personId' in input ? { personId: input.personId } : { person: input.person };
    const { application, created } = await programmes.apply(actorOf(request), request.params.id, { who, answers: input.answers, helpedBy: input.helpedBy });
    return reply.status(created ? 201 : 200).send(applicationOut(application));
  });

  app.get<{ Params: { id: string } }>('/api/v1/cohorts/:id/applications', { config: STAFF_API }, async (request) => {
    const cohort = await programmes.getCohort(request.params.id);
    const q = parseApi(listQuerySchema, request.query);
    if (q.cursor && !/^[0-9a-f-]{36}$/.test(q.cursor)) throw new NotFoundError('That cursor is not valid');
    const rows = await programmes.applicationsOf(cohort.id, { after: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { items: page.map(applicationOut), nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
  });

  app.post<{ Params: { id: string } }>('/api/v1/applications/:id/status', json, async (request) => {
    const { status } = parseApi(statusChangeSchema, request.body);
    // An integration has no one to ask "offer anyway?": it is told, and the offer stands.
    const { application, warning } = await programmes.changeStatus(actorOf(request), request.params.id, status, { offerAnyway: true });
    return { ...applicationOut(application), warnings: warning ? [warning] : [] };
  });

  app.post<{ Params: { id: string } }>('/api/v1/sessions/:id/attendance', json, async (request) => {
    const { personId, attended } = parseApi(attendanceInputSchema, request.body);
    const actor = actorOf(request);
    const session = await deps.events.getSession(request.params.id);
    const event = await deps.events.get(session.eventId);
    if (event.kind === 'cohort') {
      await cohorts.recordAttendance(actor, session.id, [{ personId, attended }]);
      return { sessionId: session.id, personId, attended };
    }
    const registration = await deps.registrations.markAttendance(session.id, personId, attended);
    return { sessionId: session.id, personId, attended: registration.status === 'attended' };
  });

  app.post<{ Params: { id: string } }>('/api/v1/cohorts/:id/graduation', { config: STAFF_API }, async (request) => certificates.graduate(actorOf(request), request.params.id));

  // Public: anyone holding a certificate's number may check it, without a token.
  app.get<{ Params: { serial: string } }>('/api/v1/certificates/:serial', { config: { access: 'public', api: true } }, async (request) => publicCertificate(await certificates.get(request.params.serial)));
  app.get<{ Params: { serial: string } }>('/api/v1/certificates/:serial/credential.json', { config: { access: 'public', api: true } }, async (request, reply) => {
    const c = await certificates.get(request.params.serial);
    // Erased at the person's request: the signed file held their name, so it is gone.
    if (!Object.keys(c.credential).length) throw new NotFoundError('This credential is no longer available');
    return reply.type('application/json').header('content-disposition', `attachment; filename="certificate-${c.serial}.json"`).send(c.credential);
  });
  app.post('/api/v1/credentials/verify', { config: { access: 'public', api: true }, preValidation: requireJson }, async (request) => certificates.check(request.body));
  app.get('/api/v1/issuer', { config: { access: 'public', api: true } }, async () => certificates.issuerProfile());
  app.post<{ Params: { serial: string } }>('/api/v1/certificates/:serial/revoke', json, async (request) => {
    const { reason } = parseApi(revokeInputSchema, request.body);
    const c = await certificates.get(request.params.serial);
    return publicCertificate(await certificates.revoke(actorOf(request), c.id, reason));
  });
}
