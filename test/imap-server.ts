import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePortBetween } from './net.ts';

/**
 * A real IMAP server for tests: Debian's dovecot (package dovecot-imapd), with a config of its own
 * in a temporary folder (no /etc/dovecot, no /run/dovecot, no syslog), one user with a plaintext
 * password, maildir mail, listening on 127.0.0.1 only, without TLS.
 */
const DOVECOT = process.env.DOVECOT_PATH || '/usr/sbin/dovecot';
// The IMAP service itself is a separate package from dovecot-core.
const IMAP_BINARY = '/usr/lib/dovecot/imap';

export function imapServerAvailable(): boolean {
  return existsSync(DOVECOT) && existsSync(IMAP_BINARY);
}

export interface ImapServer {
  url: string;
  user: string;
  password: string;
  port: number;
  /** Appends a raw RFC 822 message to INBOX, unseen. */
  deliver(raw: string | Buffer): Promise<void>;
  /** How many messages in INBOX are not \Seen. */
  unseen(): Promise<number>;
  stop(): Promise<void>;
}

function idOf(user: string, flag: '-u' | '-g'): number | null {
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

/**
 * Who dovecot's processes run as. As root, dovecot drops privileges: its own processes run as the
 * `dovecot` and `dovenull` users the package creates, and it refuses to touch mail as uid 0, so the
 * mail belongs to Debian's `mail` user (or `nobody`). As anyone else, everything runs as that user.
 */
function accounts() {
  if (process.getuid?.() !== 0) {
    const me = os.userInfo();
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    return { internalUser: me.username, internalGroup: group, loginUser: me.username, mailUid: me.uid, mailGid: me.gid, asRoot: false };
  }
  const mailUser = idOf('mail', '-u') !== null ? 'mail' : 'nobody';
  return {
    internalUser: 'dovecot',
    internalGroup: 'dovecot',
    loginUser: 'dovenull',
    mailUid: idOf(mailUser, '-u')!,
    mailGid: idOf(mailUser, '-g')!,
    asRoot: true,
  };
}

// Without root, no service may chroot; these are the ones that do by default.
const NO_CHROOT = ['anvil', 'ipc', 'old-stats'].map((s) => `service ${s} {\n  chroot =\n}\n`).join('');

function config(dir: string, port: number, a: ReturnType<typeof accounts>): string {
  return `# Written by test/imap-server.ts; nothing here is read from /etc/dovecot.
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = coproduce-test-${path.basename(dir)}
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests sign in with a wrong password on purpose; no need to wait for it.
auth_failure_delay = 0
default_internal_user = ${a.internalUser}
default_internal_group = ${a.internalGroup}
default_login_user = ${a.loginUser}
first_valid_uid = ${a.mailUid}
first_valid_gid = ${a.mailGid}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${a.mailUid} gid=${a.mailGid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
${a.asRoot ? '' : '  chroot =\n'}}
${a.asRoot ? '' : NO_CHROOT}`;
}

/** Resolves when something accepts a connection on the port and sends a line. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (d) => done(d.toString().startsWith('* OK')));
    socket.once('error', () => done(false));
  });
}

async function logTail(dir: string, stderr: string): Promise<string> {
  const log = await fs.readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
  return [...log.trim().split('\n').slice(-20), stderr.trim()].filter(Boolean).join('\n');
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startImapServer(): Promise<ImapServer> {
  if (!imapServerAvailable()) throw new Error(`dovecot was not found (${DOVECOT}, ${IMAP_BINARY}): apt-get install dovecot-imapd`);
  const a = accounts();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coproduce-imap-'));
  // mkdtemp makes it 0700; dovecot's own users (as root) have to pass through it.
  await fs.chmod(dir, 0o755);
  await fs.mkdir(path.join(dir, 'state'));
  await fs.mkdir(path.join(dir, 'mail'));
  if (a.asRoot) await fs.chown(path.join(dir, 'mail'), a.mailUid, a.mailGid);
  const user = 'stories';
  const password = randomBytes(12).toString('hex');
  const passwd = path.join(dir, 'passwd');
  await fs.writeFile(passwd, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o600 });
  // dovecot's auth process reads it as the internal user, not as root.
  if (a.asRoot) await fs.chown(passwd, idOf(a.internalUser, '-u')!, idOf(a.internalUser, '-g')!);
  const port = await freePortBetween(30_000, 30_999);
  const conf = path.join(dir, 'dovecot.conf');
  await fs.writeFile(conf, config(dir, port, a));

  // -F keeps dovecot in the foreground, so it is this process's child and stops with it.
  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanUp = async () => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
    await fs.rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  let up = false;
  while (!up && Date.now() < deadline && child.exitCode === null) {
    up = await greets(port);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  const withClient = async <T>(work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  // A greeting is not enough: the user must be able to sign in and open INBOX (file permissions).
  const why = !up
    ? child.exitCode !== null
      ? `exited with code ${child.exitCode}`
      : 'did not answer within 10 s'
    : await withClient((client) => client.status('INBOX', { messages: true })).then(
        () => null,
        (err: Error & { responseText?: string }) => `refused the test user (${err.responseText ?? err.message})`,
      );
  if (why) {
    const tail = await logTail(dir, stderr);
    await cleanUp();
    throw new Error(`dovecot ${why} on 127.0.0.1:${port}. Its log:\n${tail}`);
  }

  return {
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/INBOX`,
    user,
    password,
    port,
    async deliver(raw) {
      await withClient((client) => client.append('INBOX', raw));
    },
    async unseen() {
      const status = await withClient((client) => client.status('INBOX', { unseen: true }));
      return status ? (status.unseen ?? 0) : 0;
    },
    stop: cleanUp,
  };
}

/** A raw RFC 822 message as a mail client would send it to the stories mailbox. */
export function rawEmail(headers: Record<string, string>, body: string): string {
  const all = { To: 'stories@coproduce.test', Date: 'Mon, 01 Dec 2025 10:00:00 +0000', 'MIME-Version': '1.0', ...headers };
  return `${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}

/** An email that holds nothing but a PDF: no story in it. */
export const attachmentOnlyEmail = (headers: Record<string, string>) =>
  rawEmail(
    { ...headers, 'Content-Type': 'multipart/mixed; boundary="b1"' },
    [
      '--b1',
      'Content-Type: application/pdf; name="story.pdf"',
      'Content-Disposition: attachment; filename="story.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 not really').toString('base64'),
      '--b1--',
      '',
    ].join('\n'),
  );
