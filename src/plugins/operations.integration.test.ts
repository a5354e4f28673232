import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EMAIL_QUEUE, THEMES_QUEUE } from '../jobs/jobs.ts';
import { createEventWithSession, createPerson } from '../../test/builders.ts';
import { eventually, startTestApp, type TestApp } from '../../test/harness.ts';
import { freePort } from '../../test/net.ts';
import { startSmtpServer } from '../../test/smtp.ts';
import { WebClient } from '../../test/web-client.ts';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

/** A sample's value from Prometheus's text format, or undefined when the series is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('health and metrics', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  const metrics = async () => {
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };

  before(async () => {
    // A real mail server that takes mail for anyone but refuses one domain, so sends both succeed and fail.
    smtp = await startSmtpServer({ refuse: (address) => address.endsWith('@refused.example') });
    t = await startTestApp({ SMTP_URL: smtp.url, METRICS_TOKEN: TOKEN });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  test('/health/live answers without the database; /health/ready checks the database and the job queue', async () => {
    const live = await t.app.inject({ url: '/health/live' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await t.app.inject({ url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ok', database: 'ok', jobs: 'ok' });
    assert.equal(ready.headers['cache-control'], 'no-store');
  });

  test('/metrics needs the token, and is then Prometheus text', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      assert.equal(res.statusCode, 401, String(authorization));
      assert.doesNotMatch(res.body, /coproduce_/);
    }
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# HELP coproduce_http_request_duration_seconds /m);
    assert.match(res.body, /^coproduce_process_cpu_seconds_total\{service="coproduce"\} /m);
  });

  test('request durations are counted by route pattern, never by URL', async () => {
    const admin = await createPerson(t.services, {}, 'admin');
    const { event } = await createEventWithSession(t.services, { personId: admin.id, role: 'admin' });
    const before =
      sample(await metrics(), 'coproduce_http_request_duration_seconds_count', { route: '/events/:id', status_code: '200' }) ?? 0;
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ url: `/events/${event.id}` })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/no-such-page-1234' })).statusCode, 404);
    const text = await metrics();
    assert.equal(
      sample(text, 'coproduce_http_request_duration_seconds_count', { route: '/events/:id', method: 'GET', status_code: '200' }),
      before + 3,
    );
    assert.ok(!text.includes(event.id), 'no record id in a label');
    assert.ok(!text.includes('no-such-page'), 'unknown URLs are not labels');
    assert.ok((sample(text, 'coproduce_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }) ?? 0) >= 1);
  });

  test('emails sent and failed, jobs failed, the queue and the database pool', async () => {
    await createPerson(t.services, { email: 'metrics-ok@example.org' });
    await createPerson(t.services, { email: 'someone@refused.example' });
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    await client.post('/sign-in', { email: 'metrics-ok@example.org' });
    await client.post('/sign-in', { email: 'someone@refused.example' });
    await eventually(
      async () => {
        const text = await metrics();
        return (
          sample(text, 'coproduce_emails_sent_total', { kind: 'sign-in' }) === 1 &&
          sample(text, 'coproduce_email_send_failures_total', { kind: 'sign-in' }) === 1
        );
      },
      'one sign-in email sent and one refused by the mail server',
      15_000,
    );

    // A job that cannot succeed (no such question), and an email waiting for an hour from now.
    await t.runtime.jobs.enqueue(THEMES_QUEUE, { questionId: 'not-a-question' });
    await t.runtime.jobs.enqueue(
      EMAIL_QUEUE,
      { emailId: '00000000-0000-4000-8000-000000000000' },
      { startAfter: new Date(Date.now() + 3_600_000) },
    );
    await eventually(
      async () => (sample(await metrics(), 'coproduce_jobs_failed_total', { queue: THEMES_QUEUE }) ?? 0) >= 1,
      'the failed job counted',
      20_000,
    );
    const text = await metrics();
    assert.ok(
      (sample(text, 'coproduce_job_queue_jobs', { queue: EMAIL_QUEUE, state: 'created' }) ?? 0) >= 1,
      'the waiting email is in the queue',
    );
    const total = sample(text, 'coproduce_db_pool_connections', { state: 'total' });
    assert.ok(total !== undefined && total >= 1, 'the pool has connections');
    assert.ok(sample(text, 'coproduce_db_pool_connections', { state: 'waiting' }) !== undefined);
  });
});

describe('metrics on a port of their own', () => {
  let t: TestApp;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    t = await startTestApp({ METRICS_PORT: String(metricsPort) });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await t.close();
  });

  test('served there without a token, nothing else is; and not on the main port', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^coproduce_db_pool_connections\{/m);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/`)).status, 404);
    assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 404);
  });
});
