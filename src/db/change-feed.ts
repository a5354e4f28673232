import pg from 'pg';

export const PUBLIC_PAGES_CHANNEL = 'public_pages';

/**
 * Tells this process that something public pages show has changed, in any process on this
 * database (triggers NOTIFY `public_pages` after each commit, migration 0020). Caches compare
 * `generation` before and after their work; while `live` is false (not yet connected, or the
 * connection was lost and a notification may have been missed) nothing should be cached.
 */
export interface ChangeFeed {
  readonly generation: number;
  readonly live: boolean;
  /** Waits until the feed is listening (tests; start-up does not wait). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startChangeFeed(
  url: string,
  opts: { connectTimeoutMs?: number; onError?: (err: Error) => void; retryMs?: number } = {},
): ChangeFeed {
  let generation = 0;
  let live = false;
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let waiters: (() => void)[] = [];
  const retryMs = opts.retryMs ?? 1000;

  const lost = (err: Error | null) => {
    if (err) opts.onError?.(err);
    // Whatever was cached may have missed a change: a new generation makes it all stale.
    live = false;
    generation++;
    const old = client;
    client = null;
    old?.removeAllListeners('notification');
    void old?.end().catch(() => undefined);
    if (!stopped && !retry) retry = setTimeout(connect, retryMs);
  };

  async function connect() {
    retry = null;
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000, keepAlive: true });
    c.on('error', (err) => {
      if (client === c) lost(err);
    });
    c.on('end', () => {
      if (client === c) lost(null);
    });
    c.on('notification', () => {
      generation++;
    });
    client = c;
    try {
      await c.connect();
      await c.query(`listen ${PUBLIC_PAGES_CHANNEL}`);
      if (stopped || client !== c) return void c.end().catch(() => undefined);
      generation++;
      live = true;
      for (const w of waiters) w();
      waiters = [];
    } catch (err) {
      if (client === c) lost(err as Error);
    }
  }
  void connect();

  return {
    get generation() {
      return generation;
    },
    get live() {
      return live;
    },
    ready(timeoutMs = 10_000) {
      if (live) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('The change feed did not connect')), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async stop() {
      stopped = true;
      live = false;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
