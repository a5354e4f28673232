import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { failureView, formCycle } from '../../lib/form-cycle.ts';
import { asTyped, formFailure, parseForm, summaryFailure, type FormFailure } from '../../lib/forms.ts';
import { flags, idParams } from '../../lib/route-schemas.ts';
import { ConflictError, ValidationError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { App } from '../../plugins/types.ts';
import { accessNeedLabel } from '../people/people-view.ts';
import { bodyOf, dateIds, keyOf, STAFF } from './boards-manage-forms.ts';
import { agendaItemFormSchema, attendanceFormSchema, decisionFormSchema, meetingFormSchema, minutesFormSchema } from './boards-schemas.ts';
import type { BoardsService } from './boards-service.ts';
import { agendaView, decisionView, meetingView, venueFacts } from './boards-view.ts';

/** Staff run a board's meetings: the meeting, its agenda and papers, attendance, minutes, and decisions and actions. */
export function meetingsManageRoutes(app: App, deps: { boards: BoardsService }) {
  const { boards } = deps;

  // ---- meetings ----------------------------------------------------------------------------------
  const meetingForm = async (
    reply: FastifyReply,
    boardId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
  ) => {
    const b = await boards.get(boardId);
    const venues = await boards.venueChoices();
    const chosen = String(values.venueId ?? '');
    return reply.status(status).view('boards/views/meeting-form.njk', {
      title: `Add a meeting of ${b.name}`,
      board: b,
      values: asTyped(values, ['venueFacts']),
      venueItems: [
        ...venues.map((v) => ({
          value: v.id,
          text: `${v.name}${v.postcode ? `, ${v.postcode}` : ''}: ${venueFacts(v).slice(0, 3).join(', ')}`,
          checked: chosen === v.id,
        })),
        { value: 'new', text: 'A new venue (enter it below)', checked: chosen === 'new' },
      ],
      ...failureView(failure),
    });
  };
  app.get('/manage/boards/:id/meetings/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    meetingForm(reply, request.params.id, { submissionKey: randomUUID(), venueId: '' }),
  );
  app.post('/manage/boards/:id/meetings/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: meetingFormSchema,
      body: request.body,
      options: { idFor: dateIds, aliases: { startsAt: 'date', endsAt: 'endTime', venue: 'venueName' } },
      run: (data) => boards.createMeeting(actorOf(request), request.params.id, data, { submissionKey: keyOf(request.body) }),
      redirect: (m) => `/manage/meetings/${m.id}?created=1`,
      again: (failure, status) => meetingForm(reply, request.params.id, bodyOf(request.body), failure, status),
    }),
  );

  const meetingFlags = flags('created', 'added', 'removed', 'moved', 'sent', 'cancelled', 'attendance', 'minutes', 'recorded', 'error');
  app.get('/manage/meetings/:id', { config: STAFF, schema: { params: idParams, querystring: meetingFlags } }, async (request, reply) => {
    const m = await boards.getMeeting(request.params.id);
    const b = await boards.get(m.boardId);
    const [agenda, attendees, decisions, notInvited] = await Promise.all([
      boards.agendaOf(m.id),
      boards.attendeesOf(m.id),
      boards.decisionsOfMeeting(m.id),
      boards.notYetInvited(m.id),
    ]);
    return reply.view('boards/views/manage-meeting.njk', {
      title: m.title,
      board: b,
      meeting: meetingView(m),
      flags: request.query,
      agenda: agenda.map((a) => agendaView(a, `/papers/${a.id}`)),
      attendees: attendees.map((a) => ({
        name: a.name,
        noEmail: !a.email,
        reply: a.reply === 'coming' ? 'Coming' : a.reply === 'not_coming' ? 'Not coming' : 'No reply yet',
        needs: a.accessNeeds.map(accessNeedLabel),
        notes: a.accessNotes,
        attended: a.attended === null ? 'Not recorded' : a.attended ? 'Came' : 'Did not come',
      })),
      decisions: decisions.map((d) => decisionView(d)),
      // Members who joined after the papers went out, and have not had them.
      newMembers: m.papersSentAt ? notInvited.map((n) => n.name) : [],
      papersWhen: b.papersDaysBefore === 0 ? 'Go out on the day of the meeting' : `Go out ${b.papersDaysBefore} days before`,
    });
  });

  const agendaForm = async (
    reply: FastifyReply,
    meetingId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
  ) => {
    const m = await boards.getMeeting(meetingId);
    return reply.status(status).view('boards/views/agenda-item-form.njk', {
      title: `Add to the agenda: ${m.title}`,
      meeting: meetingView(m),
      values: { ...values, paper: undefined },
      ...failureView(failure),
    });
  };
  app.get('/manage/meetings/:id/agenda/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    agendaForm(reply, request.params.id, { submissionKey: randomUUID() }),
  );
  app.post('/manage/meetings/:id/agenda/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: agendaItemFormSchema,
      body: request.body,
      run: (data) => boards.addAgendaItem(actorOf(request), request.params.id, data, { submissionKey: keyOf(request.body) }),
      redirect: () => `/manage/meetings/${request.params.id}?added=1`,
      again: (failure, status) => agendaForm(reply, request.params.id, bodyOf(request.body), failure, status),
      conflict: (err) => summaryFailure(err.message, '#title'),
    }),
  );
  app.post('/manage/agenda-items/:id/remove', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const item = await boards.removeAgendaItem(actorOf(request), request.params.id);
    return reply.redirect(`/manage/meetings/${item.meetingId}?removed=1`, 303);
  });
  for (const direction of ['up', 'down'] as const)
    app.post(`/manage/agenda-items/:id/${direction}`, { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
      const item = await boards.moveAgendaItem(actorOf(request), request.params.id, direction);
      return reply.redirect(`/manage/meetings/${item.meetingId}?moved=1`, 303);
    });

  const refusedTo = (reply: FastifyReply, meetingId: string) => (err: unknown) => {
    if (err instanceof ConflictError) return reply.redirect(`/manage/meetings/${meetingId}?error=${encodeURIComponent(err.message)}`, 303);
    throw err;
  };
  app.post('/manage/meetings/:id/send-papers', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    return boards
      .sendPapersNow(actorOf(request), id)
      .then((n) => reply.redirect(`/manage/meetings/${id}?sent=${n}`, 303), refusedTo(reply, id));
  });
  app.post('/manage/meetings/:id/send-papers-new', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    return boards
      .sendPapersToNewMembers(actorOf(request), id)
      .then((n) => reply.redirect(`/manage/meetings/${id}?sent=${n}`, 303), refusedTo(reply, id));
  });
  app.post('/manage/meetings/:id/cancel', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    return boards
      .cancelMeeting(actorOf(request), id)
      .then(() => reply.redirect(`/manage/meetings/${id}?cancelled=1`, 303), refusedTo(reply, id));
  });

  // ---- attendance and minutes ---------------------------------------------------------------------
  const attendancePage = async (reply: FastifyReply, meetingId: string, failure?: FormFailure, status = 200) => {
    const m = await boards.getMeeting(meetingId);
    const expected = await boards.expectedAt(m.id);
    return reply.status(status).view('boards/views/attendance.njk', {
      title: `Who came: ${m.title}`,
      meeting: meetingView(m),
      items: expected.map((e) => ({ value: e.personId, text: e.name, checked: e.attended === true })),
      ...failureView(failure),
    });
  };
  app.get('/manage/meetings/:id/attendance', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    attendancePage(reply, request.params.id),
  );
  app.post('/manage/meetings/:id/attendance', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: attendanceFormSchema,
      body: request.body,
      run: (data) => boards.recordAttendance(actorOf(request), request.params.id, data),
      redirect: () => `/manage/meetings/${request.params.id}?attendance=1`,
      again: (failure, status) => attendancePage(reply, request.params.id, failure, status),
      conflict: (err) => summaryFailure(err.message, '#came'),
    }),
  );

  const minutesPage = async (
    reply: FastifyReply,
    meetingId: string,
    values: Record<string, unknown> | null,
    failure?: FormFailure,
    status = 200,
  ) => {
    const m = await boards.getMeeting(meetingId);
    return reply.status(status).view('boards/views/minutes-form.njk', {
      title: `Minutes: ${m.title}`,
      meeting: meetingView(m),
      values: values ?? { minutes: m.minutes ?? '', easyReadMinutes: m.easyReadMinutes ?? '', publish: m.minutesPublishedAt ? 'yes' : '' },
      ...failureView(failure),
    });
  };
  app.get('/manage/meetings/:id/minutes', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    minutesPage(reply, request.params.id, null),
  );
  app.post('/manage/meetings/:id/minutes', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: minutesFormSchema,
      body: request.body,
      run: (data) => boards.saveMinutes(actorOf(request), request.params.id, data),
      redirect: () => `/manage/meetings/${request.params.id}?minutes=1`,
      again: (failure, status) => minutesPage(reply, request.params.id, bodyOf(request.body), failure, status),
      conflict: (err) => summaryFailure(err.message, '#publish'),
    }),
  );

  // ---- decisions and actions ------------------------------------------------------------------------
  const ownerItems = async (boardId: string, chosen: string) => {
    const o = await boards.overview(boardId);
    const current = o.members.filter((m) => m.current);
    const seen = new Set<string>();
    return [
      { value: '', text: 'No owner' },
      ...current
        .filter((m) => !seen.has(m.personId) && !!seen.add(m.personId))
        .map((m) => ({ value: m.personId, text: m.name, selected: m.personId === chosen })),
    ];
  };
  const decisionForm = async (
    reply: FastifyReply,
    meetingId: string,
    values: Record<string, unknown>,
    failure?: FormFailure,
    status = 200,
  ) => {
    const m = await boards.getMeeting(meetingId);
    return reply.status(status).view('boards/views/decision-form.njk', {
      title: `Record a decision or action: ${m.title}`,
      meeting: meetingView(m),
      values,
      ownerItems: await ownerItems(m.boardId, String(values.owner ?? '')),
      ...failureView(failure),
    });
  };
  app.get('/manage/meetings/:id/decisions/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    decisionForm(reply, request.params.id, { kind: 'action', submissionKey: randomUUID() }),
  );
  app.post('/manage/meetings/:id/decisions/new', { config: STAFF, schema: { params: idParams } }, async (request, reply) =>
    formCycle(reply, {
      schema: decisionFormSchema,
      body: request.body,
      options: { idFor: dateIds },
      run: (data) => boards.recordDecision(actorOf(request), request.params.id, data, { submissionKey: keyOf(request.body) }),
      redirect: () => `/manage/meetings/${request.params.id}?recorded=1`,
      again: (failure, status) => decisionForm(reply, request.params.id, bodyOf(request.body), failure, status),
    }),
  );

  /** Staff change an action's owner, due date, or whether the public sees it. */
  const editDecisionSchema = z.preprocess((raw) => {
    const b = bodyOf(raw);
    return { ...b, kind: 'action', text: 'kept', easyRead: undefined };
  }, decisionFormSchema);
  app.post('/manage/decisions/:id', { config: STAFF, schema: { params: idParams } }, async (request, reply) => {
    const form = parseForm(editDecisionSchema, request.body, { idFor: dateIds });
    const id = request.params.id;
    if (!form.ok) return reply.redirect(`/decisions/${id}?error=${encodeURIComponent(form.errorList[0]?.text ?? 'Check the form')}`, 303);
    try {
      await boards.updateDecision(actorOf(request), id, { owner: form.data.owner, due: form.data.due, published: !!form.data.published });
    } catch (err) {
      if (err instanceof ValidationError)
        return reply.redirect(`/decisions/${id}?error=${encodeURIComponent(formFailure(err.errors).errorList[0]?.text ?? '')}`, 303);
      throw err;
    }
    return reply.redirect(`/decisions/${id}?saved=1`, 303);
  });
}
