import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startRuntime } from './runtime.ts';

/** Said to whoever started the process, whatever LOG_LEVEL is: that it is up, and that it stopped. */
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config);
  const runtime = await startRuntime(config, { work: true, seed: true, log });
  const app = await buildApp({
    config,
    services: runtime.services,
    sessionSecret: runtime.sessionSecret,
    log,
    changes: runtime.changes,
    operations: runtime,
  });

  // Stop taking requests, let those in flight finish (up to a limit), let the job worker finish
  // or hand back its job, close the database pools, and only then stop the embedded PostgreSQL.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: stopping Coproduce`);
    const inFlight = app.close().catch(() => undefined);
    const limit = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownGraceMs).unref());
    if ((await Promise.race([inFlight, limit])) === 'timeout')
      log.warn({ graceMs: config.shutdownGraceMs }, 'requests still running at the end of the grace period were cut off');
    // On Ctrl-C the terminal signals PostgreSQL too, which drops connections as it stops:
    // expected now, and not worth alarming anyone about.
    log.level = 'fatal';
    await runtime.stop();
    say('Coproduce stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  say(`Coproduce is running at ${config.publicUrl}${config.databaseUrl ? '' : ` (embedded PostgreSQL, data in ${config.dataDir})`}`);
}

main().catch((err) => {
  process.stderr.write(`Coproduce could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
