import { isDatabaseUnavailable } from './client.ts';

/**
 * Requests for the same thing at the same moment go to the database together, as PostgreSQL
 * groups commits: while one call for a key is on its way, the requests that arrive for that key
 * wait, and go in the next call, in the order they came, up to `max` a call. A burst (10,000
 * people booking one session, a survey link sent to a whole trust) then costs one statement, one
 * lock and one commit per group rather than per request (issue 16).
 *
 * `send` answers each request of a group, in order. When a call fails, each of its requests is
 * tried again alone, one after another, so a request the database refuses fails alone and the
 * rest keep their order; if the database is unreachable they all fail at once.
 */
export function sendTogether<Request, Answer>(opts: { max: number; send(group: Request[]): Promise<Answer[]> }) {
  type Waiting = { request: Request; resolve(answer: Answer): void; reject(err: unknown): void };
  const groups = new Map<string, Waiting[]>();

  async function drain(key: string, waiting: Waiting[]) {
    while (waiting.length) {
      const group = waiting.splice(0, opts.max);
      try {
        const answers = await opts.send(group.map((w) => w.request));
        group.forEach((w, i) => w.resolve(answers[i]!));
      } catch (err) {
        if (group.length === 1 || isDatabaseUnavailable(err)) group.forEach((w) => w.reject(err));
        else
          for (const w of group)
            await opts.send([w.request]).then(
              (answers) => w.resolve(answers[0]!),
              (e: unknown) => w.reject(e),
            );
      }
    }
    groups.delete(key);
  }

  return function send(key: string, request: Request): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const waiting = groups.get(key);
      if (waiting) {
        waiting.push({ request, resolve, reject });
        return;
      }
      const first = [{ request, resolve, reject }];
      groups.set(key, first);
      // Requests that arrive in the same turn go in the first call too.
      queueMicrotask(() => void drain(key, first));
    });
  };
}
