import { z } from 'zod';
import { UUID } from '../db/ids.ts';

/** An id in a URL: anything that is not a uuid names nothing, so the route answers 404 before its handler runs. */
export const uuid = z.string().regex(UUID, 'Not a valid id');
export const idParams = z.object({ id: uuid });
