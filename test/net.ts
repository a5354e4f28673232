import net from 'node:net';

/**
 * A free TCP port on the loopback address for a server a test starts, and may stop and start
 * again: taken from 25000–29999, below Linux's ephemeral range, so no port the OS hands out
 * elsewhere (`listen(0)`) can take it while it is stopped. (The system PostgreSQL of the tests
 * uses 20000–24999.)
 */
export async function freePort(): Promise<number> {
  return freePortBetween(25_000, 29_999);
}

/** A free loopback port in [from, to], tried at random. */
export async function freePortBetween(from: number, to: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await tryPort(port)) return port;
  }
  throw new Error(`No free port between ${from} and ${to}`);
}
