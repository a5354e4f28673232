import { parseForm } from '../../lib/forms.ts';
import { ConflictError, NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { CertificatesService } from './certificates-service.ts';
import type { CohortService } from './cohort-service.ts';
import { membershipFormSchema, SHOWN_AS_LABELS } from './programmes-schemas.ts';
import type { ProgrammesService } from './programmes-service.ts';
import { coachingWhen, cohortView, longDay, scheduleView, statusLabel } from './programmes-view.ts';
import { londonDay } from '../../lib/dates.ts';
import { idParams } from '../../lib/route-schemas.ts';
import type { App } from '../../plugins/types.ts';

const SIGNED_IN = { access: 'signed-in' as const };
const RESPONSES = { accept: 'accepted', decline: 'declined', withdraw: 'withdrawn' } as const;

/** What applicants and members see: their applications, their group, their coaching, the alumni. */
export function memberRoutes(app: App, deps: { programmes: ProgrammesService; cohorts: CohortService; certificates: CertificatesService }) {
  const { programmes, cohorts } = deps;

  app.get<{ Querystring: { done?: string; problem?: string } }>('/account/applications', { config: SIGNED_IN }, async (request, reply) => {
    const actor = actorOf(request);
    const [rows, certificates] = await Promise.all([
      programmes.myApplications(actor.personId),
      deps.certificates.certificatesOfPerson(actor.personId),
    ]);
    return reply.view('programmes/views/my-applications.njk', {
      title: 'Your applications',
      rows: rows.map((r) => {
        // Once a cohort has graduated, nothing about a place can change: say how it ended instead.
        const finished = r.cohort.graduatedAt ? londonDay(r.cohort.graduatedAt) : null;
        const certificate =
          finished && r.application.status === 'accepted'
            ? (certificates.find((c) => c.cohortId === r.cohort.id && !c.revokedAt) ?? null)
            : null;
        return {
          ...r.application,
          statusText: certificate ? 'Graduated' : statusLabel(r.application.status),
          cohort: cohortView(r.cohort),
          programme: r.programme,
          finishedText: finished ? longDay(finished) : null,
          certificate,
        };
      }),
      certificates,
      done: request.query.done,
      problem: request.query.problem,
    });
  });

  app.post('/account/applications/:id', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const answer = String(((request.body ?? {}) as Record<string, unknown>).answer ?? '') as keyof typeof RESPONSES;
    if (!(answer in RESPONSES)) return reply.redirect('/account/applications?problem=choose', 303);
    try {
      await programmes.changeStatus(actorOf(request), request.params.id, RESPONSES[answer]);
    } catch (err) {
      if (err instanceof ConflictError) return reply.redirect('/account/applications?problem=changed', 303);
      throw err;
    }
    return reply.redirect(`/account/applications?done=${answer}`, 303);
  });

  /** A member's view of their group: schedule, who is in it (as each chose), their project and coaching. */
  app.get<{ Params: { id: string }; Querystring: { saved?: string; empty?: string; updated?: string } }>(
    '/cohorts/:id',
    { config: SIGNED_IN },
    async (request, reply) => {
      const actor = actorOf(request);
      const membership = await programmes.membership(request.params.id, actor.personId);
      if (!membership) throw new NotFoundError('You are not in that group');
      const cohort = await programmes.getCohort(request.params.id);
      const programme = await programmes.getProgramme(cohort.programmeId);
      const [sessions, group, projects, coaching] = await Promise.all([
        programmes.sessionsOf(cohort),
        cohorts.groupAsSeenBy(cohort.id),
        cohorts.projects(cohort.id),
        cohorts.coaching(actor, cohort.id),
      ]);
      return reply.view('programmes/views/member-cohort.njk', {
        title: `${programme.title}: ${cohort.name}`,
        programme,
        cohort: cohortView(cohort),
        sessions: sessions.map(scheduleView),
        group,
        myProjects: projects.filter((p) => p.members.some((m) => m.personId === actor.personId)),
        coaching: coaching.map((c) => ({ ...c, when: coachingWhen(c.startsAt) })),
        shownItems: Object.entries(SHOWN_AS_LABELS).map(([value, text]) => ({ value, text })),
        values: { shownAs: membership.shownAs, alumniListed: membership.alumniListed ? 'yes' : 'no' },
        banner: bannerFor(request.query, projects),
        emptyUpdate: request.query.empty,
      });
    },
  );

  app.post('/cohorts/:id/membership', { schema: { params: idParams }, config: SIGNED_IN }, async (request, reply) => {
    const form = parseForm(membershipFormSchema, request.body);
    if (!form.ok) return reply.redirect(`/cohorts/${request.params.id}`, 303);
    await programmes.setMembership(actorOf(request), request.params.id, form.data);
    return reply.redirect(`/cohorts/${request.params.id}?saved=1`, 303);
  });

  // The alumni network is for people signed in: graduates who chose to be listed, nothing more.
  app.get('/alumni', { config: SIGNED_IN }, async (_request, reply) =>
    reply.view('programmes/views/alumni.njk', { title: 'Alumni', alumni: await programmes.alumni() }),
  );
}

/** What the member's last action on their group page did. */
function bannerFor(q: { saved?: string; updated?: string }, projects: { id: string; title: string }[]): string | null {
  if (q.saved === '1') return 'Saved: your group sees you as you chose.';
  const updated = q.updated ? projects.find((p) => p.id === q.updated) : undefined;
  return updated ? `Your update is added to “${updated.title}”. Your group can read it.` : null;
}
