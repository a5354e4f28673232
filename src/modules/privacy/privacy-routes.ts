import type { Config } from '../../config.ts';
import type { App } from '../../plugins/types.ts';
import type { PeopleService } from '../people/people-service.ts';
import { readableData } from './readable-data.ts';
import { yourDataPdf } from './your-data-pdf.ts';

const signedIn = { access: 'signed-in' } as const;

/**
 * "Your data" to read, beside the JSON download (/account/export): built from the same export,
 * so the page and the PDF hold everything the download does.
 */
export function privacyRoutes(app: App, deps: { people: Pick<PeopleService, 'exportFor'>; branding: Config['branding'] }) {
  app.get('/account/your-data', { config: signedIn }, async (request, reply) => {
    const data = readableData(await deps.people.exportFor(request.person!.id));
    return reply.header('cache-control', 'no-store').view('privacy/views/your-data.njk', { title: 'Your data', data });
  });

  app.get('/account/your-data.pdf', { config: signedIn }, async (request, reply) => {
    const person = request.person!;
    const data = readableData(await deps.people.exportFor(person.id));
    const pdf = await yourDataPdf(data, { name: person.name, orgName: deps.branding.orgName, serviceName: deps.branding.serviceName });
    return reply
      .header('content-disposition', 'attachment; filename="my-coproduce-data.pdf"')
      .header('cache-control', 'no-store')
      .type('application/pdf')
      .send(pdf);
  });
}
