import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySerializerCompiler } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

const isApiV1 = (url: string) => url.startsWith('/api/v1/');

/**
 * The OpenAPI 3.1 document, generated from the zod schemas each API route declares: one place
 * says what an endpoint takes and gives. Pages are left out; public endpoints need no token.
 * Registered before the routes, so it sees each one as it is added.
 */
export async function registerOpenApi(app: FastifyInstance, opts: { publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coproduce API',
        version: '1.0.0',
        description: 'See shared/api-v1.md for the contract. Errors are application/problem+json.',
      },
      servers: [{ url: opts.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: (document) => {
      if (!isApiV1(document.url)) return { schema: { hide: true }, url: document.url };
      const transformed = jsonSchemaTransform(document);
      const open = document.route.config?.access === 'public';
      return open ? { ...transformed, schema: { ...transformed.schema, security: [] } } : transformed;
    },
    transformObject: jsonSchemaTransformObject,
  });
  app.get('/api/openapi.json', { config: { access: 'public', api: true } }, async () => app.swagger());
}

/**
 * A response is checked against its route's schema (a mismatch is our bug: a 500, and the
 * tests see it) but sent as the handler made it, so declaring schemas changed no response.
 */
export const checkedSerializer: FastifySerializerCompiler<z.ZodType> =
  ({ schema, method, url }) =>
  (data) => {
    const checked = z.safeEncode(schema, data);
    if (!checked.success) throw new ResponseSerializationError(method, url, { cause: checked.error });
    return JSON.stringify(data);
  };
