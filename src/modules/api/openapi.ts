import { z } from 'zod';
import { personInputSchema, personSchema } from '../people/people-schemas.ts';
import { problemSchema } from './api-common.ts';
import { peopleListQuerySchema } from './people-api-routes.ts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});

const problems = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [String(code), { description: 'Problem', content: { 'application/problem+json': { schema: z.toJSONSchema(problemSchema) } } }]),
  );

function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }),
  }));
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI 3.1 document, built from the same zod schemas the routes parse with. */
export function buildOpenApi(publicUrl: string) {
  const personList = z.object({ items: z.array(personSchema), nextCursor: z.string().nullable() });
  return {
    openapi: '3.1.0',
    info: { title: 'Coproduce API', version: '1.0.0', description: 'See shared/api-v1.md for the contract. Errors are application/problem+json.' },
    servers: [{ url: publicUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/people': {
        post: {
          summary: 'Add a person (email optional: people who do not use email are welcome)',
          requestBody: { required: true, content: json(personInputSchema, 'input') },
          responses: { '201': { description: 'The person', content: json(personSchema) }, ...problems(400, 401, 403, 409, 413, 415) },
        },
        get: {
          summary: 'List people, by name',
          parameters: queryParameters(peopleListQuerySchema),
          responses: { '200': { description: 'A page of people', content: json(personList) }, ...problems(400, 401, 403) },
        },
      },
      '/api/v1/people/{id}': {
        get: {
          summary: 'One person (reading access needs is audited)',
          parameters: [idParam],
          responses: { '200': { description: 'The person', content: json(personSchema) }, ...problems(401, 403, 404) },
        },
      },
    },
  };
}
