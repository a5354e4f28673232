import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';

/**
 * Read-only counts for the staff home page ("Your work"). The services of the modules that own
 * these tables offer them one cohort or one event at a time; here they are one query each.
 */
export function createWorkRepository() {
  return {
    /** Events not yet over (drafts too), soonest first, with places taken across their sessions. */
    async upcomingEvents(ex: Executor, opts: { limit: number }) {
      const rows = await ex.execute<{
        id: string;
        title: string;
        status: 'draft' | 'published';
        starts_at: Date | string;
        capacity: number;
        booked: number;
        waitlisted: number;
        sessions: number;
      }>(sql`
        select e.id, e.title, e.status, e.starts_at,
          coalesce(sum(s.capacity) filter (where s.status = 'scheduled'), 0)::int as capacity,
          coalesce(sum(c.booked) filter (where s.status = 'scheduled'), 0)::int as booked,
          coalesce(sum(c.waitlisted) filter (where s.status = 'scheduled'), 0)::int as waitlisted,
          count(s.id) filter (where s.status = 'scheduled')::int as sessions
        from events e
        left join event_sessions s on s.event_id = e.id
        left join (
          select r.session_id,
            count(*) filter (where r.status in ('confirmed', 'attended'))::int as booked,
            count(*) filter (where r.status = 'waitlisted')::int as waitlisted
          from registrations r group by r.session_id
        ) c on c.session_id = s.id
        where e.kind = 'event' and e.status in ('draft', 'published') and e.ends_at >= now()
        group by e.id
        order by e.starts_at asc, e.id
        limit ${opts.limit}`);
      return rows.rows.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        startsAt: new Date(r.starts_at),
        capacity: Number(r.capacity),
        booked: Number(r.booked),
        waitlisted: Number(r.waitlisted),
        sessions: Number(r.sessions),
      }));
    },

    async upcomingEventCount(ex: Executor): Promise<number> {
      const rows = await ex.execute<{ n: number }>(
        sql`select count(*)::int as n from events where kind = 'event' and status in ('draft', 'published') and ends_at >= now()`,
      );
      return Number(rows.rows[0]?.n ?? 0);
    },

    /** Cohorts with applications nobody has decided on yet (new or shortlisted). */
    async applicationsWaiting(ex: Executor) {
      const rows = await ex.execute<{
        cohort_id: string;
        cohort_name: string;
        programme_title: string;
        applied: number;
        shortlisted: number;
      }>(sql`
        select c.id as cohort_id, c.name as cohort_name, p.title as programme_title,
          count(*) filter (where a.status = 'applied')::int as applied,
          count(*) filter (where a.status = 'shortlisted')::int as shortlisted
        from applications a
        join cohorts c on c.id = a.cohort_id
        join programmes p on p.id = c.programme_id
        where a.status in ('applied', 'shortlisted')
        group by c.id, c.name, p.title
        order by p.title, c.name`);
      return rows.rows.map((r) => ({
        cohortId: r.cohort_id,
        cohortName: r.cohort_name,
        programmeTitle: r.programme_title,
        applied: Number(r.applied),
        shortlisted: Number(r.shortlisted),
      }));
    },

    /** Forms open for answers, with how many answered so far. */
    async openForms(ex: Executor) {
      const rows = await ex.execute<{ id: string; title: string; responses: number }>(sql`
        select f.id, f.title, (select count(*)::int from form_responses r where r.form_id = f.id) as responses
        from forms f where f.status = 'open'
        order by f.created_at desc, f.id`);
      return rows.rows.map((r) => ({ id: r.id, title: r.title, responses: Number(r.responses) }));
    },

    async storiesToModerate(ex: Executor): Promise<number> {
      const rows = await ex.execute<{ n: number }>(sql`select count(*)::int as n from stories where status = 'submitted'`);
      return Number(rows.rows[0]?.n ?? 0);
    },
  };
}

export type WorkRepository = ReturnType<typeof createWorkRepository>;
