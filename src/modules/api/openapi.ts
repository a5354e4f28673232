import { z } from 'zod';
import { personInputSchema, personListItemSchema, personSchema } from '../people/people-schemas.ts';
import { problemSchema } from './api-common.ts';
import { eventInputSchema, registrationInputSchema, sessionInputSchema } from '../events/events-schemas.ts';
import { eventOutSchema, registrationOutSchema, sessionOutSchema } from './events-api-routes.ts';
import { listQuerySchema } from './api-common.ts';
import { formInputSchema, responseInputSchema } from '../forms/forms-schemas.ts';
import { formOutSchema } from './forms-api-routes.ts';
import { peopleListQuerySchema } from './people-api-routes.ts';
import { applicationInputSchema, attendanceInputSchema, cohortInputSchema, programmeInputSchema, revokeInputSchema, statusChangeSchema } from '../programmes/programmes-schemas.ts';
import { applicationOutSchema, certificateStatusSchema, cohortOutSchema, graduationOutSchema, programmeOutSchema } from './programmes-api-routes.ts';

/** "Programmes, cohorts and certificates". */
function programmePaths() {
  const post = (summary: string, input: z.ZodType | null, out: z.ZodType | null, codes: number[], status = '200') => ({
    post: {
      summary,
      parameters: [idParam],
      ...(input ? { requestBody: { required: true, content: json(input, 'input') } } : {}),
      responses: { [status]: { description: 'Done', ...(out ? { content: json(out) } : {}) }, ...problems(...codes) },
    },
  });
  const open = { security: [] };
  const applicationList = z.object({ items: z.array(applicationOutSchema), nextCursor: z.string().nullable() });
  const serialParam = { name: 'serial', in: 'path', required: true, schema: { type: 'string' } };
  return {
    '/api/v1/programmes': { post: { ...post('Create a programme: places per cohort, mix target, graduation rule', programmeInputSchema, programmeOutSchema, [400, 401, 403, 413, 415], '201').post, parameters: [] } },
    '/api/v1/programmes/{id}': { get: { summary: 'A programme and its cohorts', parameters: [idParam], responses: { '200': { description: 'The programme', content: json(programmeOutSchema) }, ...problems(401, 403, 404) } } },
    '/api/v1/programmes/{id}/cohorts': post('Add a cohort (places default to the programme’s)', cohortInputSchema, cohortOutSchema, [400, 401, 403, 404, 415], '201'),
    '/api/v1/cohorts/{id}': { get: { summary: 'A cohort: places, members, the mix, its sessions', parameters: [idParam], responses: { '200': { description: 'The cohort', content: json(cohortOutSchema) }, ...problems(401, 403, 404) } } },
    '/api/v1/cohorts/{id}/sessions': post('Add a session to the cohort’s schedule (kind: workshop, the default, counts towards graduation; catch_up does not)', sessionInputSchema, null, [400, 401, 403, 404, 409, 415], '201'),
    '/api/v1/cohorts/{id}/applications': {
      ...post('Apply for someone (the same person again → 200 with the first application)', applicationInputSchema, applicationOutSchema, [400, 401, 403, 404, 409, 415], '201'),
      get: { summary: 'Applications to the cohort', parameters: [idParam, ...queryParameters(listQuerySchema)], responses: { '200': { description: 'A page', content: json(applicationList) }, ...problems(400, 401, 403, 404) } },
    },
    '/api/v1/applications/{id}/status': post('Move an application on (allowed moves only, otherwise 409; an offer over the places is 409; an offer that breaks the mix target stands, with a warning)', statusChangeSchema, applicationOutSchema.extend({ warnings: z.array(z.string()) }), [400, 401, 403, 404, 409, 415]),
    '/api/v1/sessions/{id}/attendance': post('Record whether someone came (cohort sessions: members only; event sessions: checks in a registration)', attendanceInputSchema, null, [400, 401, 403, 404, 415]),
    '/api/v1/cohorts/{id}/graduation': post('Graduate the cohort once: certificates for everyone who met the rule, reasons for the rest (again → 409)', null, graduationOutSchema, [401, 403, 404, 409]),
    '/api/v1/certificates/{serial}': { get: { ...open, summary: 'Check a certificate (no token needed): valid or revoked, and no other personal data', parameters: [serialParam], responses: { '200': { description: 'The certificate', content: json(certificateStatusSchema) }, ...problems(404) } } },
    '/api/v1/certificates/{serial}/credential.json': { get: { ...open, summary: 'The Open Badges 3.0 credential, signed (eddsa-jcs-2022, did:key Ed25519)', parameters: [serialParam], responses: { '200': { description: 'A Verifiable Credential', content: { 'application/json': { schema: { type: 'object' } } } }, ...problems(404) } } },
    '/api/v1/certificates/{serial}/revoke': { post: { summary: 'Revoke a certificate, saying why', parameters: [serialParam], requestBody: { required: true, content: json(revokeInputSchema, 'input') }, responses: { '200': { description: 'The certificate', content: json(certificateStatusSchema) }, ...problems(400, 401, 403, 404, 409) } } },
    '/api/v1/credentials/verify': { post: { ...open, summary: 'Check a credential: its signature, our key, and whether it is revoked', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': { description: '{ verified, reason?, certificate? }' }, ...problems(400, 413, 415) } } },
    '/api/v1/issuer': { get: { ...open, summary: 'The issuer profile with its verification key (Multikey)', responses: { '200': { description: 'An Open Badges Profile' } } } },
  };
}

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
  const personList = z.object({ items: z.array(personListItemSchema), nextCursor: z.string().nullable() });
  const eventWithSessions = eventOutSchema.extend({ sessions: z.array(sessionOutSchema) });
  const registrationList = z.object({ items: z.array(registrationOutSchema), nextCursor: z.string().nullable() });
  const calendar = { '200': { description: 'An iCalendar file', content: { 'text/calendar': { schema: { type: 'string' } } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Coproduce API', version: '1.0.0', description: 'See shared/api-v1.md for the contract. Errors are application/problem+json.' },
    servers: [{ url: publicUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      ...programmePaths(),
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
      '/api/v1/events': {
        post: {
          summary: 'Create an event (a draft until published)',
          requestBody: { required: true, content: json(eventInputSchema, 'input') },
          responses: { '201': { description: 'The event', content: json(eventWithSessions) }, ...problems(400, 401, 403, 413, 415) },
        },
      },
      '/api/v1/events/{id}': {
        get: { summary: 'An event with its sessions and their counts', parameters: [idParam], responses: { '200': { description: 'The event', content: json(eventWithSessions) }, ...problems(401, 403, 404) } },
      },
      '/api/v1/events/{id}/publish': {
        post: { summary: 'Publish: people can register', parameters: [idParam], responses: { '200': { description: 'The event', content: json(eventOutSchema) }, ...problems(401, 403, 404, 409) } },
      },
      '/api/v1/events/{id}/cancel': {
        post: { summary: 'Cancel the event; everyone registered is emailed', parameters: [idParam], responses: { '200': { description: 'The event', content: json(eventOutSchema) }, ...problems(401, 403, 404) } },
      },
      '/api/v1/events/{id}/sessions': {
        post: {
          summary: 'Add a session (a venue for in-person, an https joining link for online)',
          parameters: [idParam],
          requestBody: { required: true, content: json(sessionInputSchema, 'input') },
          responses: { '201': { description: 'The session', content: json(sessionOutSchema) }, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      '/api/v1/sessions/{id}/registrations': {
        post: {
          summary: 'Register a person (by id, or a new person). The same person again returns their registration with 200.',
          parameters: [idParam],
          requestBody: { required: true, content: json(registrationInputSchema, 'input') },
          responses: {
            '201': { description: 'Registered: confirmed, or waitlisted with a position', content: json(registrationOutSchema) },
            '200': { description: 'Already registered: the same registration', content: json(registrationOutSchema) },
            ...problems(400, 401, 403, 404, 409, 415),
          },
        },
        get: {
          summary: 'Registrations in the order they were accepted, with waiting-list positions',
          parameters: [idParam, ...queryParameters(listQuerySchema)],
          responses: { '200': { description: 'A page of registrations', content: json(registrationList) }, ...problems(400, 401, 403, 404) },
        },
      },
      '/api/v1/registrations/{id}/cancel': {
        post: { summary: 'Cancel; the first person waiting is promoted', parameters: [idParam], responses: { '200': { description: 'The registration', content: json(registrationOutSchema) }, ...problems(401, 403, 404, 409) } },
      },
      '/api/v1/registrations/{id}/check-in': {
        post: { summary: 'Mark as attended', parameters: [idParam], responses: { '200': { description: 'The registration', content: json(registrationOutSchema) }, ...problems(401, 403, 404, 409) } },
      },
      '/api/v1/forms': {
        post: {
          summary: 'Create a form with its questions (rating, agreement, yes_no, single_choice, multiple_choice, text, long_text, number)',
          requestBody: { required: true, content: json(formInputSchema, 'input') },
          responses: { '201': { description: 'The form', content: json(formOutSchema) }, ...problems(400, 401, 403, 415) },
        },
      },
      '/api/v1/forms/{id}': { get: { summary: 'A form and its questions', parameters: [idParam], responses: { '200': { description: 'The form', content: json(formOutSchema) }, ...problems(401, 403, 404) } } },
      '/api/v1/forms/{id}/open': { post: { summary: 'Open the form for answers', parameters: [idParam], responses: { '200': { description: 'The form', content: json(formOutSchema) }, ...problems(401, 403, 404, 409) } } },
      '/api/v1/forms/{id}/close': { post: { summary: 'Close the form', parameters: [idParam], responses: { '200': { description: 'The form', content: json(formOutSchema) }, ...problems(401, 403, 404) } } },
      '/api/v1/forms/{id}/responses': {
        post: {
          summary: 'Record a response. Rating and agreement answers are the option words; yes/no are booleans. One per person: a second is 409.',
          parameters: [idParam],
          requestBody: { required: true, content: json(responseInputSchema, 'input') },
          responses: { '201': { description: 'Recorded', content: json(z.object({ id: z.string(), personId: z.string().nullable(), submittedAt: z.string() })) }, ...problems(400, 401, 403, 404, 409, 413, 415) },
        },
        get: {
          summary: 'Responses in the order they came, with the themes of each text answer; personId is null on anonymous forms',
          parameters: [idParam, ...queryParameters(listQuerySchema)],
          responses: { '200': { description: 'A page of responses', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array' }, nextCursor: { type: ['string', 'null'] } } } } } }, ...problems(400, 401, 403, 404) },
        },
      },
      '/api/v1/forms/{id}/results': {
        get: { summary: 'Responses, invited, response rate (an event form: ÷ people who came), and per question the counts, topTwoShare, split by experience, and themes', parameters: [idParam], responses: { '200': { description: 'Results', content: { 'application/json': { schema: { type: 'object' } } } }, ...problems(401, 403, 404) } },
      },
      '/api/v1/events/{id}/report': {
        get: { summary: 'Who came, what they thought (evaluation: responses, responseRate, excellentOrGoodShare), themes, quotes with consent, headlines', parameters: [idParam], responses: { '200': { description: 'The report', content: { 'application/json': { schema: { type: 'object' } } } }, ...problems(401, 403, 404) } },
      },
      '/api/v1/registrations/{id}/calendar.ics': {
        get: { summary: 'The calendar file for a registration', parameters: [idParam], responses: { ...calendar, ...problems(401, 403, 404) } },
      },
    },
  };
}
