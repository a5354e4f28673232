import { DrizzleQueryError } from 'drizzle-orm';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.ts';

export type { Logger };

/**
 * The one logger: created once at start-up and handed to Fastify, the runtime, the job worker
 * and the services as child loggers (`log.child({ component })`). JSON lines in production, for
 * whatever collects them; readable lines in development.
 *
 * The request log names the path, never the query: sign-in, cancel, invitation and email-change
 * links carry their tokens there. Headers with credentials are redacted.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, stream?: { write(line: string): void }): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.split('?')[0],
        remoteAddress: req.ip,
      }),
    },
  };
  if (stream) return pino(options, stream as DestinationStream);
  if (config.env === 'development') return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
  return pino(options);
}

/**
 * What the log may keep of an error. A failed query's error carries the values it was given
 * (a team lead's contact details, a story, access needs), in its message, its stack and its
 * `params`: the log gets the SQL and the database's own reason only.
 */
export function loggable(err: Error): Error | Record<string, unknown> {
  if (!(err instanceof DrizzleQueryError)) return err;
  const cause = err.cause as { message?: string; code?: string } | undefined;
  const frames = err.stack?.slice(err.stack.indexOf('\n    at ')) ?? '';
  return {
    type: 'DrizzleQueryError',
    message: `Failed query: ${err.query}`,
    stack: `DrizzleQueryError: Failed query: ${err.query}${frames}`,
    cause: cause ? { message: cause.message, code: cause.code } : undefined,
  };
}
