import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startRuntime } from './runtime.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const log = {
    info: (m: string) => console.log(m),
    // On Ctrl-C the terminal signals PostgreSQL too, which drops connections as it stops:
    // expected then, and not worth alarming anyone about.
    error: (obj: unknown, m: string) => !stopping && console.error(m, obj),
  };
  const runtime = await startRuntime(config, { work: true, seed: true, log });
  const app = await buildApp({ config, services: runtime.services, sessionSecret: runtime.sessionSecret });

  // Stop taking requests, let those in flight finish (up to a limit), let the job worker finish
  // or hand back its job, close the database pools, and only then stop the embedded PostgreSQL.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: stopping Coproduce`);
    const inFlight = app.close().catch(() => undefined);
    const limit = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownGraceMs).unref());
    if ((await Promise.race([inFlight, limit])) === 'timeout') console.error(`Requests still running after ${config.shutdownGraceMs} ms were cut off`);
    await runtime.stop();
    console.log('Coproduce stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  console.log(`Coproduce is running at ${config.publicUrl}${config.databaseUrl ? '' : ` (embedded PostgreSQL, data in ${config.dataDir})`}`);
}

main().catch((err) => {
  console.error('Coproduce could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
