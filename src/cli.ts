import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { ROLES, type Role } from './db/schema.ts';
import { createLogger } from './logger.ts';
import { formatRouteMap, routeMap } from './route-map.ts';
import { startRuntime } from './runtime.ts';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate                                        apply database migrations
  create-api-token --email <email> --role <role> create the person if needed, give them the role,
                   [--name <name>]               and print a new API token alone on the last line
  seed-demo                                      add demo data to an empty database
  routes                                         print every route: method, path, who may use it, module`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const config = loadConfig();
  if (command === 'routes') {
    console.log(formatRouteMap(await routeMap(config)));
    return 0;
  }
  // The log goes to standard error: standard output is the command's answer.
  const log = createLogger(config, process.stderr);
  // The CLI never works the job queue and never seeds by surprise; with the embedded database
  // it joins the cluster a running server already started rather than starting a second one.
  const runtime = await startRuntime(config, { work: false, seed: command === 'seed-demo', log });
  try {
    switch (command) {
      case 'migrate':
        console.log('Migrations are up to date.');
        return 0;
      case 'seed-demo':
        console.log(runtime.seeded ? 'Demo data added.' : 'The database is not empty (or DEMO=false); nothing added.');
        return 0;
      case 'create-api-token': {
        const { values } = parseArgs({
          args: rest,
          options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
        });
        const email = values.email?.trim();
        const role = values.role as Role | undefined;
        if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
          console.error('Give a valid --email');
          return 2;
        }
        if (!role || !ROLES.includes(role)) {
          console.error(`Give --role as one of: ${ROLES.join(', ')}`);
          return 2;
        }
        const { people, auth } = runtime.services;
        let person = await people.findActiveByEmail(email);
        if (!person) {
          person = await people.create(null, { name: email.split('@')[0]!, email, experience: 'professional' }, { role });
        } else if (person.role !== role) {
          person = await people.setRole({ personId: person.id, role: 'admin' }, person.id, role);
        }
        const token = await auth.createApiToken(null, person.id, values.name ?? 'Created from the command line');
        console.log(`API token for ${email} (${role}):`);
        console.log(token);
        return 0;
      }
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await runtime.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `Failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
