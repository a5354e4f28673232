import path from 'node:path';
import { z } from 'zod';
import { parseOidcProviders, type OidcProviderConfig } from './config-oidc.ts';

/**
 * Every setting Coproduce reads, parsed once at boot. A bad value stops start-up with a
 * message naming the variable. README.md documents each key; keep the two in step.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').positive('must be above 0');

const positiveNumber = z.coerce.number({ error: 'must be a number' }).positive('must be above 0');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535, 'must be a port number').default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  EMBEDDED_PG_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1024).max(65535).optional(),
  PUBLIC_URL: z.url({ error: 'must be a full URL such as https://coproduce.example.org' }).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SIGNING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 random bytes in base64url (43 characters): openssl rand 32 | basenc --base64url | tr -d =')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Coproduce <no-reply@coproduce.invalid>'),
  MAIL_REPLY_TO: z
    .string()
    .regex(
      /^(?:[^<>@\r\n]*<\s*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+\s*>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
      'must be an email address, such as team@example.org or Events team <team@example.org>',
    )
    .optional(),
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\/[^/]+/, 'must look like imaps://user:password@mail.example.org/INBOX')
    .optional(),
  IMAP_POLL_SECONDS: positiveNumber.default(60),
  PLEDGE_FOLLOW_UP_DAYS: z.coerce.number({ error: 'must be a number of days' }).min(0, 'must be 0 or more').default(42),
  DEMO: booleanFromEnv.default(true),
  ORG_NAME: z.string().min(1).max(120).default('Demo Health and Care Partnership'),
  ORG_IS_NHS: booleanFromEnv.default(false),
  SERVICE_NAME: z.string().min(1).max(60).default('Coproduce'),
  SESSION_IDLE_MINUTES: positiveInt.default(30),
  SESSION_ABSOLUTE_HOURS: positiveInt.default(12),
  SIGN_IN_LINK_MINUTES: positiveInt.default(15),
  SIGN_IN_LIMIT_PER_EMAIL: positiveInt.default(5),
  SIGN_IN_LIMIT_PER_IP: positiveInt.default(20),
  PUBLIC_POST_LIMIT_PER_MINUTE: positiveInt.default(60),
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  EMAIL_RETRY_HOURS: positiveNumber.default(24),
  EMAIL_RETRY_FIRST_SECONDS: positiveNumber.default(30),
  EMAIL_RETRY_MAX_MINUTES: positiveNumber.default(15),
  BODY_LIMIT_BYTES: positiveInt.default(100_000),
  UPLOAD_LIMIT_MB: positiveNumber.max(100, 'must be 100 or less').default(10),
  S3_URL: z
    .url({ error: 'must look like https://ACCESS_KEY:SECRET@s3.example.org/bucket' })
    .refine((u) => /^https?:\/\/[^/]+\/[^/]+/.test(u), 'must name the bucket: https://ACCESS_KEY:SECRET@s3.example.org/bucket')
    .optional(),
  S3_REGION: z.string().min(1).default('eu-west-2'),
  THEMES_REFRESH_MINUTES: z.coerce.number({ error: 'must be a number' }).min(0, 'must be 0 or more').default(5),
  EMAIL_TO_OUTBOX: booleanFromEnv.optional(),
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters: openssl rand -hex 24').optional(),
  METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535, 'must be a port number').optional(),
  TRUST_PROXY: booleanFromEnv.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  embeddedPgPort: number | undefined;
  publicUrl: string;
  sessionSecret: string | undefined;
  signingKey: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Where replies to our emails go (the Reply-To of every message); unset, replies go to MAIL_FROM. */
  mailReplyTo: string | undefined;
  demo: boolean;
  branding: { orgName: string; isNhs: boolean; serviceName: string };
  session: { idleMinutes: number; absoluteHours: number };
  signIn: { linkMinutes: number; limitPerEmail: number; limitPerIp: number };
  /** An email that cannot be sent is tried again, waiting longer each time up to `maxDelayMs`, for `windowMs`. */
  emailRetry: { windowMs: number; firstDelayMs: number; maxDelayMs: number };
  bodyLimitBytes: number;
  /** Largest file a person may upload (a meeting paper, a receipt). */
  uploadLimitBytes: number;
  /** Where uploads are kept: an S3-compatible bucket when set, otherwise DATA_DIR/files. */
  s3: { url: string; region: string } | undefined;
  /** The mailbox stories are emailed to (imaps://user:password@host/INBOX); unset, no mailbox is read. */
  imapUrl: string | undefined;
  imapPollSeconds: number;
  /** Days after a team chat before its lead is asked how each pledge went. */
  pledgeFollowUpDays: number;
  /** While a form is open, themes are found again at most this often (and only once answers grow by a fifth). */
  themesRefreshMinutes: number;
  /** Public forms and endpoints that write (registering, applying, answering, feedback): per IP, per route. */
  publicPostLimitPerMinute: number;
  /** How long a request waits for a database connection before it is refused with 503. */
  dbConnectTimeoutMs: number;
  /** On SIGTERM or Ctrl-C, how long requests in flight may take to finish. */
  shutdownGraceMs: number;
  trustProxy: boolean;
  logLevel: Env['LOG_LEVEL'];
  /** Identity providers staff may sign in with, beside the emailed link. */
  oidc: OidcProviderConfig[];
  /** GET /metrics: with this bearer token on the main port, and/or alone on its own port. Neither set: no metrics. */
  metrics: { token: string | undefined; port: number | undefined };
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "not set", as they do in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const oidc = parseOidcProviders(cleaned as Record<string, string>);
  const lines = [...(parsed.error?.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`) ?? []), ...oidc.issues];
  if (parsed.success) lines.push(...productionRefusals(parsed.data));
  if (!parsed.success || lines.length) throw new ConfigError(`Coproduce cannot start: these settings are wrong:\n${lines.join('\n')}`);
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET,
    signingKey: e.SIGNING_KEY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    mailReplyTo: e.MAIL_REPLY_TO,
    demo: e.DEMO,
    branding: { orgName: e.ORG_NAME, isNhs: e.ORG_IS_NHS, serviceName: e.SERVICE_NAME },
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    signIn: { linkMinutes: e.SIGN_IN_LINK_MINUTES, limitPerEmail: e.SIGN_IN_LIMIT_PER_EMAIL, limitPerIp: e.SIGN_IN_LIMIT_PER_IP },
    emailRetry: {
      windowMs: e.EMAIL_RETRY_HOURS * 3_600_000,
      firstDelayMs: e.EMAIL_RETRY_FIRST_SECONDS * 1000,
      maxDelayMs: e.EMAIL_RETRY_MAX_MINUTES * 60_000,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    uploadLimitBytes: Math.round(e.UPLOAD_LIMIT_MB * 1024 * 1024),
    s3: e.S3_URL ? { url: e.S3_URL, region: e.S3_REGION } : undefined,
    imapUrl: e.IMAP_URL,
    imapPollSeconds: e.IMAP_POLL_SECONDS,
    pledgeFollowUpDays: e.PLEDGE_FOLLOW_UP_DAYS,
    themesRefreshMinutes: e.THEMES_REFRESH_MINUTES,
    publicPostLimitPerMinute: e.PUBLIC_POST_LIMIT_PER_MINUTE,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    oidc: oidc.providers,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
  };
}

/**
 * What a live service must not run with: made-up people and demo accounts, email that only
 * lands in a folder without anyone saying so, sign-in links and cookies over plain http.
 */
function productionRefusals(e: Env): string[] {
  if (e.NODE_ENV !== 'production') return [];
  const refusals: string[] = [];
  if (e.DEMO) refusals.push('  DEMO: demo data and demo accounts are on; set DEMO=false for a live service');
  if (!e.SMTP_URL && !e.EMAIL_TO_OUTBOX)
    refusals.push(
      '  SMTP_URL: no mail server is set; set SMTP_URL=smtp://…, or EMAIL_TO_OUTBOX=true to keep email as files in DATA_DIR/outbox',
    );
  if (!e.PUBLIC_URL?.startsWith('https://'))
    refusals.push(
      '  PUBLIC_URL: must be the https address people use, such as https://coproduce.example.org (links in emails and secure cookies use it)',
    );
  return refusals;
}
