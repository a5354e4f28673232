import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { FileStore } from '../../lib/file-store.ts';
import type { Logger } from '../../logger.ts';
import type { AuditTrail } from '../audit/audit-service.ts';
import type { EmailComposers } from '../email/email-requests.ts';

/** Placeholder: the boards module's rules live here. */
export function createBoardsService(deps: {
  db: Db;
  config: Config;
  secret: string;
  files: FileStore;
  audit: AuditTrail;
  jobs: Pick<Jobs, 'sendEmail' | 'enqueue'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}) {
  void deps;
  const composers: EmailComposers = {};
  return {
    composers,
    /** Hourly: papers due to go out, and reminders to owners of actions coming due. */
    async sweep() {},
  };
}

export type BoardsService = ReturnType<typeof createBoardsService>;
