import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/validation.ts';
import { actorOf } from '../../plugins/access.ts';
import type { EventsService } from './events-service.ts';

/** Staff, and the facilitators who lead its sessions, run an event on the day. */
export const RUNNERS = { access: ['admin', 'staff', 'facilitator'] as const, hideWhenDenied: true };

/**
 * Route options for a page about one event (`:id`) that its runners use: a facilitator who leads
 * none of its sessions gets 404, as if it did not exist.
 */
export function runnersOf(events: Pick<EventsService, 'mayRun'>) {
  return {
    config: RUNNERS,
    preHandler: async (request: FastifyRequest) => {
      const { id } = request.params as { id: string };
      if (!(await events.mayRun(actorOf(request), id))) throw new NotFoundError('No event with that id');
    },
  };
}
