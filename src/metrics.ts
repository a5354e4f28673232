import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What a process tells Prometheus (GET /metrics): requests by route, the job queue, email and the
 * database pool. A registry of its own per process (not prom-client's global one), so tests can run
 * several apps side by side. Counters count in this process since it started; Prometheus adds up
 * the processes behind a load balancer and copes with restarts (rate()).
 */
export function createMetrics(sources: {
  pool: pg.Pool;
  /** Jobs by queue and state, read from the queue's table when Prometheus asks. */
  jobDepth: () => Promise<{ queue: string; state: string; count: number }[]>;
}) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'coproduce' });
  collectDefaultMetrics({ register: registry, prefix: 'coproduce_' });

  const requestSeconds = new Histogram({
    name: 'coproduce_http_request_duration_seconds',
    help: 'Time to answer a request, by route pattern (not the URL, which would carry ids), method and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const emailsSent = new Counter({
    name: 'coproduce_emails_sent_total',
    help: 'Emails handed to the mail server (or written to the outbox), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const emailsFailed = new Counter({
    name: 'coproduce_email_send_failures_total',
    help: 'Tries to send an email that failed (each is tried again for EMAIL_RETRY_HOURS), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const jobsFailed = new Counter({
    name: 'coproduce_jobs_failed_total',
    help: 'Jobs whose handler failed (the queue retries them, up to each queue’s limit), by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'coproduce_job_queue_jobs',
    help: 'Jobs in the queue by queue and state (created and retry are waiting; active are running)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sources.jobDepth().catch(() => [])) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'coproduce_db_pool_connections',
    help: 'The web pool’s database connections: total open, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, sources.pool.totalCount);
      this.set({ state: 'idle' }, sources.pool.idleCount);
      this.set({ state: 'waiting' }, sources.pool.waitingCount);
    },
  });

  return {
    registry,
    observeRequest(method: string, route: string, statusCode: number, seconds: number) {
      requestSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    emailSent: (kind: string) => emailsSent.inc({ kind }),
    emailFailed: (kind: string) => emailsFailed.inc({ kind }),
    jobFailed: (queue: string) => jobsFailed.inc({ queue }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
