import fs from 'node:fs/promises';
import path from 'node:path';
import type { PersonalDataHolder } from '../privacy/personal-data.ts';
import { readOutbox } from './outbox.ts';

/**
 * Email holds no personal values in the database: queued emails carry a kind and ids only, and
 * failure reasons have addresses removed. Without a mail server,
 * messages are kept as files in the outbox: those to the person go with them.
 */
export function emailPersonalData(outboxDir: string): PersonalDataHolder {
  return {
    module: 'email',
    tables: {
      outgoing_emails: 'which kind of email about which record (ids only) was sent when, and why a try failed (addresses removed)',
    },
    personColumns: {},
    async export() {
      return {};
    },
    async forget() {
      // Files are removed after the erasure commits (afterForget).
    },
    async afterForget(person) {
      const addresses = [person.email, person.pendingEmail].filter((e): e is string => !!e).map((e) => e.toLowerCase());
      if (!addresses.length) return;
      for (const message of await readOutbox(outboxDir)) {
        const to = message.to.toLowerCase();
        if (addresses.some((a) => to.includes(a))) await fs.rm(path.join(outboxDir, message.file), { force: true });
      }
    },
  };
}
