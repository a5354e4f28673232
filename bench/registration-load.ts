/**
 * Load generator for the registration burst, run as its own process by bench.ts so that it does
 * not share the server's CPU time slice: POSTs one registration per person id, all to one session.
 * argv: url token idsFile connections
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, token, idsFile, connections] = process.argv.slice(2) as [string, string, string, string];
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
let next = 0;

const result = await autocannon({
  url,
  connections: Number(connections),
  amount: ids.length,
  requests: [
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ personId: ids[next++ % ids.length] }) }),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  }),
);
