import { z } from 'zod';
import { UUID } from '../../db/ids.ts';
import { decodeCursor, pageOf } from '../../lib/pagination.ts';

/** The people list (pages and API) is kept in (name, id) order; its cursor is the last one shown. */
const peopleKey = z.strictObject({ name: z.string(), id: z.string().regex(UUID) });

export const decodePeopleCursor = (raw: string | undefined) => decodeCursor(peopleKey, raw);

export const peopleCursor = <P extends { name: string; id: string }>(rows: P[], limit: number) =>
  pageOf(rows, limit, (p) => ({ name: p.name, id: p.id }));
