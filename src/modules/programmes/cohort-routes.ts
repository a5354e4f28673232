import type { FastifyReply, FastifyRequest } from 'fastify';
import { asTyped, formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { asList, ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { CertificatesService } from './certificates-service.ts';
import type { CohortService } from './cohort-service.ts';
import {
  coachingFormSchema,
  coachingNotesSchema,
  projectFormSchema,
  projectUpdateSchema,
  revokeInputSchema,
} from './programmes-schemas.ts';
import type { ProgrammesService } from './programmes-service.ts';
import { coachingWhen, cohortView, longDay, plural, scheduleView } from './programmes-view.ts';
import { londonDay } from '../../lib/dates.ts';
import { idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';
import { failureView } from '../../lib/form-cycle.ts';

const STAFF = { access: ['admin', 'staff'] as const, hideWhenDenied: true };
const SIGNED_IN = { access: 'signed-in' as const };

/** Running a cohort (staff): schedule and attendance, projects, coaching, graduation and certificates. */
export function cohortRoutes(app: App, deps: { programmes: ProgrammesService; cohorts: CohortService; certificates: CertificatesService }) {
  const { programmes, cohorts, certificates } = deps;
  const load = async (id: string) => {
    const cohort = await programmes.getCohort(id);
    return { cohort, programme: await programmes.getProgramme(cohort.programmeId) };
  };

  // ---- schedule and attendance -------------------------------------------------------------------
  async function schedulePage(
    cohortId: string,
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { failure?: FormFailure; status?: number } = {},
  ) {
    const { cohort, programme } = await load(cohortId);
    const [sessions, members, attendance] = await Promise.all([
      programmes.sessionsOf(cohort),
      cohorts.members(cohort.id),
      cohorts.attendance(cohort.id),
    ]);
    const came = new Set(attendance.filter((a) => a.attended).map((a) => `${a.sessionId}:${a.personId}`));
    const now = Date.now();
    const savedId = (request.query as { saved?: string }).saved;
    const saved = savedId ? sessions.find((s) => s.id === savedId) : undefined;
    return reply.status(extra.status ?? 200).view('programmes/views/manage-schedule.njk', {
      title: `${cohort.name}: schedule and attendance`,
      programme,
      cohort: cohortView(cohort),
      sessions: sessions.map((s) => ({
        ...scheduleView(s),
        // Attendance is taken once a session has started, never ahead of it.
        upcoming: s.startsAt.getTime() > now,
        members: members.map((m) => ({ value: m.personId, text: m.name, checked: came.has(`${s.id}:${m.personId}`) })),
        count: members.filter((m) => came.has(`${s.id}:${m.personId}`)).length,
      })),
      memberCount: members.length,
      saved: saved?.id,
      banner: saved
        ? `Saved attendance for ${saved.title}: ${members.filter((m) => came.has(`${saved.id}:${m.personId}`)).length} of ${members.length} came.`
        : null,
      ...failureView(extra.failure),
    });
  }
  app.get('/manage/cohorts/:id/schedule', { schema: { params: idParams }, config: STAFF }, (request, reply) =>
    schedulePage(request.params.id, request, reply),
  );

  /** One session's register: ticked members came, unticked did not. */
  app.post('/manage/sessions/:id/attendance', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const came = new Set(asList(body.came) as string[]);
    const everyone = asList(body.members) as string[];
    try {
      const { cohort } = await cohorts.recordAttendance(
        actorOf(request),
        request.params.id,
        everyone.map((personId) => ({ personId, attended: came.has(personId) })),
      );
      return reply.redirect(`/manage/cohorts/${cohort.id}/schedule?saved=${request.params.id}#session-${request.params.id}`, 303);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const cohort = await programmes.cohortOfSession(request.params.id);
      return schedulePage(cohort.id, request, reply, {
        failure: summaryFailure(err.message, `#session-${request.params.id}`),
        status: 409,
      });
    }
  });

  // ---- group projects ------------------------------------------------------------------------------
  async function projectsPage(
    request: FastifyRequest & { params: { id: string } },
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; status?: number } = {},
  ) {
    const { cohort, programme } = await load(request.params.id);
    const [projects, members] = await Promise.all([cohorts.projects(cohort.id), cohorts.members(cohort.id)]);
    const values = extra.values ?? { memberIds: [], coLeadIds: [] };
    const q = request.query as { done?: string; p?: string };
    const touched = projects.find((p) => p.id === q.p);
    const chosen = (k: string) => new Set(values[k] as string[]);
    return reply.status(extra.status ?? 200).view('programmes/views/manage-projects.njk', {
      title: `${cohort.name}: group projects`,
      programme,
      cohort: cohortView(cohort),
      projects: projects.map((p) => ({
        ...p,
        presentedText: p.presentedAt ? p.presentedAt.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }) : null,
      })),
      memberItems: members.map((m) => ({ value: m.personId, text: m.name, checked: chosen('memberIds').has(m.personId) })),
      coLeadItems: members.map((m) => ({ value: m.personId, text: m.name, checked: chosen('coLeadIds').has(m.personId) })),
      values,
      banner: !touched
        ? null
        : q.done === 'added'
          ? `Added the project “${touched.title}”.`
          : q.done === 'presented'
            ? touched.presentedAt
              ? `Recorded that “${touched.title}” was presented.`
              : `Recorded that “${touched.title}” has not been presented.`
            : q.done === 'updated'
              ? `Added your update to “${touched.title}”.`
              : null,
      ...failureView(extra.failure),
    });
  }
  app.get('/manage/cohorts/:id/projects', { schema: { params: idParams }, config: STAFF }, (request, reply) =>
    projectsPage(request, reply),
  );
  app.post('/manage/cohorts/:id/projects', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const values = asTyped(request.body, ['memberIds', 'coLeadIds']);
    const form = parseForm(projectFormSchema, request.body);
    if (!form.ok) return projectsPage(request, reply, { values, failure: form, status: 400 });
    let project: Awaited<ReturnType<CohortService['createProject']>>;
    try {
      project = await cohorts.createProject(actorOf(request), request.params.id, form.data);
    } catch (err) {
      if (err instanceof ValidationError) return projectsPage(request, reply, { values, failure: formFailure(err.errors), status: 400 });
      if (err instanceof ConflictError)
        return projectsPage(request, reply, { values, failure: summaryFailure(err.message, '#title'), status: 409 });
      throw err;
    }
    return reply.redirect(`/manage/cohorts/${request.params.id}/projects?done=added&p=${project.id}#project-${project.id}`, 303);
  });
  app.post('/manage/projects/:id/presented', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const presented = ((request.body ?? {}) as Record<string, unknown>).presented === 'yes';
    await cohorts.setPresented(actorOf(request), request.params.id, presented);
    const p = await cohorts.getProject(request.params.id);
    return reply.redirect(`/manage/cohorts/${p.cohortId}/projects?done=presented&p=${p.id}#project-${p.id}`, 303);
  });
  /** Progress updates: from staff here, from the project's members on their cohort page. */
  app.post('/projects/:id/updates', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const form = parseForm(projectUpdateSchema, { body: ((request.body ?? {}) as Record<string, unknown>).body });
    const p = await cohorts.getProject(request.params.id);
    const actor = actorOf(request);
    const back = actor.role === 'admin' || actor.role === 'staff' ? `/manage/cohorts/${p.cohortId}/projects` : `/cohorts/${p.cohortId}`;
    if (!form.ok) return reply.redirect(`${back}?empty=${p.id}#project-${p.id}`, 303);
    await cohorts.addUpdate(actor, p.id, form.data.body);
    const said = back.startsWith('/manage/') ? `done=updated&p=${p.id}` : `updated=${p.id}`;
    return reply.redirect(`${back}?${said}#project-${p.id}`, 303);
  });

  // ---- coaching --------------------------------------------------------------------------------------
  async function coachingPage(
    request: FastifyRequest & { params: { id: string } },
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; failure?: FormFailure; status?: number } = {},
  ) {
    const { cohort, programme } = await load(request.params.id);
    const [rows, members, coaches] = await Promise.all([
      cohorts.coaching(actorOf(request), cohort.id),
      cohorts.members(cohort.id),
      cohorts.coachChoices(),
    ]);
    const names = new Map([...members.map((m) => [m.personId, m.name] as const), ...coaches.map((c) => [c.id, c.name] as const)]);
    return reply.status(extra.status ?? 200).view('programmes/views/manage-coaching.njk', {
      title: `${cohort.name}: coaching`,
      programme,
      cohort: cohortView(cohort),
      rows: rows.map((c) => ({
        ...c,
        who: names.get(c.participantId) ?? 'Someone',
        coach: names.get(c.coachId) ?? 'A coach',
        when: coachingWhen(c.startsAt),
      })),
      memberItems: [
        { value: '', text: 'Choose' },
        ...members.map((m) => ({ value: m.personId, text: m.name, selected: m.personId === extra.values?.participantId })),
      ],
      coachItems: [
        { value: '', text: 'Choose' },
        ...coaches.map((c) => ({ value: c.id, text: c.name, selected: c.id === extra.values?.coachId })),
      ],
      values: extra.values ?? {},
      banner: (() => {
        const booked = rows.find((c) => c.id === (request.query as { booked?: string }).booked);
        return booked
          ? `Booked coaching for ${names.get(booked.participantId) ?? 'them'} with ${names.get(booked.coachId) ?? 'the coach'}, ${coachingWhen(booked.startsAt)}.`
          : null;
      })(),
      ...failureView(extra.failure),
    });
  }
  app.get('/manage/cohorts/:id/coaching', { schema: { params: idParams }, config: STAFF }, (request, reply) =>
    coachingPage(request, reply),
  );
  app.post('/manage/cohorts/:id/coaching', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(coachingFormSchema, b, { idFor: (f) => (f === 'date' ? 'date[day]' : f) });
    if (!form.ok) return coachingPage(request, reply, { values: b, failure: form, status: 400 });
    let booked: Awaited<ReturnType<CohortService['bookCoaching']>>;
    try {
      booked = await cohorts.bookCoaching(actorOf(request), request.params.id, form.data);
    } catch (err) {
      if (err instanceof ValidationError) return coachingPage(request, reply, { values: b, failure: formFailure(err.errors), status: 400 });
      throw err;
    }
    return reply.redirect(`/manage/cohorts/${request.params.id}/coaching?booked=${booked.id}`, 303);
  });

  /** The coach writes notes; the person coached reads them. No one else. */
  app.get('/coaching/:id', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const c = await cohorts.getCoachingForNotes(actorOf(request), request.params.id);
    return reply.view('programmes/views/coaching.njk', {
      title: 'Coaching session',
      coaching: { ...c, when: coachingWhen(c.startsAt) },
      isCoach: c.coachId === actorOf(request).personId,
      values: { notes: c.notes ?? '', status: c.status },
      errors: {},
      errorList: [],
    });
  });
  app.post('/coaching/:id', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const form = parseForm(coachingNotesSchema, request.body);
    const c = await cohorts.getCoachingForNotes(actorOf(request), request.params.id);
    if (!form.ok)
      return reply.status(400).view('programmes/views/coaching.njk', {
        title: 'Coaching session',
        coaching: { ...c, when: coachingWhen(c.startsAt) },
        isCoach: true,
        values: request.body,
        errors: form.errors,
        errorList: form.errorList,
      });
    await cohorts.recordCoaching(actorOf(request), c.id, form.data);
    return reply.redirect(`/coaching/${c.id}?saved=1`, 303);
  });

  // ---- graduation and certificates ------------------------------------------------------------------
  // Graduating cannot be undone, so it takes two steps: this page, then a confirm page naming who
  // gets a certificate. The button is disabled, with the reason, while no one has met the rule.
  async function graduationView(cohortId: string) {
    const report = await cohorts.graduationReport(cohortId);
    const rows = report.rows.map((r) => ({
      name: r.member.name,
      personId: r.member.personId,
      met: r.met,
      reasons: r.reasons,
      attended: r.attendedWorkshops,
      project: r.project?.title ?? null,
    }));
    const endsLater = londonDay(new Date()) < report.cohort.endsOn;
    return {
      programme: report.programme,
      cohort: cohortView(report.cohort),
      rule: report.rule,
      workshops: report.workshops,
      rows,
      graduating: rows.filter((r) => r.met),
      notYet: rows.filter((r) => !r.met),
      metCount: rows.filter((r) => r.met).length,
      endsLater,
      endsOnText: longDay(report.cohort.endsOn),
    };
  }
  async function graduationPage(
    request: FastifyRequest & { params: { id: string }; query: unknown },
    reply: FastifyReply,
    extra: { failure?: FormFailure; status?: number } = {},
  ) {
    const view = await graduationView(request.params.id);
    const issued = await certificates.certificatesOf(view.cohort.id);
    // The count comes from the certificates themselves, not the address, so it cannot say something untrue.
    const done = (request.query as { graduated?: string }).graduated !== undefined ? issued.length : 0;
    const revoked = issued.find((c) => c.id === (request.query as { revoked?: string }).revoked && c.revokedAt);
    return reply.status(extra.status ?? 200).view('programmes/views/manage-graduation.njk', {
      title: `${view.cohort.name}: graduation`,
      ...view,
      certificates: issued,
      banner:
        done > 0 && view.cohort.graduated
          ? `${view.cohort.name} has graduated. We issued ${plural(done, 'certificate')} and emailed the graduates who have an email address.`
          : revoked
            ? `Revoked ${revoked.name}’s certificate (${revoked.serial}). Anyone who checks it now sees that it was revoked.`
            : null,
      ...failureView(extra.failure),
    });
  }
  app.get('/manage/cohorts/:id/graduation', { schema: { params: idParams }, config: STAFF }, (request, reply) =>
    graduationPage(request, reply),
  );
  async function confirmPage(
    request: FastifyRequest & { params: { id: string }; query: unknown },
    reply: FastifyReply,
    extra: { failure?: FormFailure; status?: number } = {},
  ) {
    const view = await graduationView(request.params.id);
    if ((view.cohort.graduated || view.metCount === 0) && extra.failure) return graduationPage(request, reply, extra);
    if (view.cohort.graduated || view.metCount === 0) return reply.redirect(`/manage/cohorts/${view.cohort.id}/graduation`, 303);
    return reply.status(extra.status ?? 200).view('programmes/views/confirm-graduation.njk', {
      title: `Graduate ${view.cohort.name}?`,
      ...view,
      certificateCount: plural(view.metCount, 'certificate'),
      ...failureView(extra.failure),
    });
  }
  app.get('/manage/cohorts/:id/graduation/confirm', { schema: { params: idParams }, config: STAFF }, (request, reply) =>
    confirmPage(request, reply),
  );
  app.post('/manage/cohorts/:id/graduation', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    // Only the confirm page's form graduates; anything else is sent to that page first.
    if (body.confirmed !== 'yes' && !(await programmes.getCohort(request.params.id)).graduatedAt)
      return reply.redirect(`/manage/cohorts/${request.params.id}/graduation/confirm`, 303);
    let result: Awaited<ReturnType<CertificatesService['graduate']>>;
    try {
      result = await certificates.graduate(actorOf(request), request.params.id, {
        expected: body.confirmed === 'yes' ? (asList(body.expected) as string[]) : undefined,
      });
    } catch (err) {
      if (err instanceof ConflictError) {
        const cohort = await programmes.getCohort(request.params.id);
        if (!cohort.graduatedAt && body.confirmed === 'yes')
          return confirmPage(request, reply, { failure: summaryFailure(err.message, '#graduate'), status: 409 });
        return graduationPage(request, reply, { failure: summaryFailure(err.message, '#certificates'), status: 409 });
      }
      throw err;
    }
    return reply.redirect(`/manage/cohorts/${request.params.id}/graduation?graduated=${result.certificates.length}`, 303);
  });
  app.post('/manage/certificates/:id/revoke', { schema: { params: idParams }, config: STAFF }, async (request, reply) => {
    const form = parseForm(revokeInputSchema, { reason: ((request.body ?? {}) as Record<string, unknown>).reason });
    if (!form.ok)
      return reply.status(400).view('errors/400.njk', { title: 'Say why', detail: 'Say why the certificate is revoked, then try again.' });
    try {
      const c = await certificates.revoke(actorOf(request), request.params.id, form.data.reason);
      return reply.redirect(`/manage/cohorts/${c.cohortId}/graduation?revoked=${c.id}`, 303);
    } catch (err) {
      if (err instanceof ConflictError) return reply.status(409).view('errors/400.njk', { title: 'Already revoked', detail: err.message });
      throw err;
    }
  });
}
