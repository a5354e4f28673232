import { z } from 'zod';
import { UUID } from '../db/ids.ts';

/** An id in a URL: anything that is not a uuid names nothing, so the route answers 404 before its handler runs. */
export const uuid = z.string().regex(UUID, 'Not a valid id');
export const idParams = z.object({ id: uuid });

/**
 * A page's query flags (`?saved=1`, `?error=cancelled`): each an optional string, and anything
 * odd is ignored rather than refused, as a page shown after a redirect should be.
 */
export const flags = <K extends string>(...names: K[]) =>
  z.object(
    Object.fromEntries(names.map((n) => [n, z.string().max(200).optional().catch(undefined)])) as Record<
      K,
      z.ZodCatch<z.ZodOptional<z.ZodString>>
    >,
  );
