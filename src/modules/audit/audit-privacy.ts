import { sql } from 'drizzle-orm';
import { rowsOf, type PersonalDataHolder } from '../privacy/personal-data.ts';

/** The audit log holds field names and codes, never values: it stays, naming an erased row. */
export function auditPersonalData(): PersonalDataHolder {
  return {
    module: 'audit',
    tables: { audit_log: 'who did what to which record: field names and codes only, never values' },
    personColumns: { 'audit_log.actor_id': 'kept: the entry holds no personal values, and the id now names an erased person' },
    async export(ex, personId) {
      const rows = await rowsOf<{ at: Date; action: string; details: unknown; by_them: boolean }>(
        ex,
        sql`select at, action, details, actor_id = ${personId} as by_them from audit_log
            where (subject_type = 'person' and subject_id = ${personId}) or actor_id = ${personId}
            order by id desc limit 10000`,
      );
      return { activity: rows.map((r) => ({ at: new Date(r.at).toISOString(), action: r.action, byThem: r.by_them, details: r.details })) };
    },
    async forget() {
      // Nothing to remove: see personColumns.
    },
  };
}
