import fs from 'node:fs/promises';
import path from 'node:path';

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  date: string;
  body: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

const FILE_NAME = /^[0-9TZ-]+-[0-9a-f]{8}\.eml$/;

/** A header's value: folded lines joined, RFC 2047 encoded words ("=?UTF-8?Q?…?=") decoded. */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const match = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(head);
  const value = (match?.[1] ?? '').replace(/\r?\n[ \t]+/g, ' ').trim();
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m: string, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** Undoes the quoted-printable soft line breaks and escapes nodemailer uses for long lines. */
function decodePart(part: string): { head: string; body: string } {
  const [head = '', ...rest] = part.split(/\r?\n\r?\n/);
  return { head, body: decodeBody(head, rest.join('\n\n')) };
}

function decodeBody(head: string, body: string): string {
  if (/content-transfer-encoding: quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (/content-transfer-encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Reads a message nodemailer wrote: plain text, or multipart with a text part and attachments. */
export function parseMessage(file: string, raw: string): OutboxMessage {
  const top = { file, to: header(raw, 'To'), subject: header(raw, 'Subject'), date: header(raw, 'Date') };
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw.split(/\r?\n\r?\n/)[0] ?? '')?.[1];
  if (!boundary) return { ...top, body: decodePart(raw).body, attachments: [] };
  const parts = raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => decodePart(p.replace(/^\r?\n/, '')));
  const text = parts.find((p) => /content-type: text\/plain/i.test(p.head) && !/filename=/i.test(p.head));
  const attachments = parts
    .filter((p) => /filename=/i.test(p.head))
    .map((p) => ({
      filename: /filename="?([^";\r\n]+)"?/i.exec(p.head)?.[1] ?? 'attachment',
      contentType: /content-type: ([^;\r\n]+)/i.exec(p.head)?.[1]?.trim() ?? 'application/octet-stream',
      content: p.body,
    }));
  return { ...top, body: text?.body ?? '', attachments };
}

export async function readOutbox(outboxDir: string): Promise<OutboxMessage[]> {
  let files: string[];
  try {
    files = (await fs.readdir(outboxDir)).filter((f) => FILE_NAME.test(f));
  } catch {
    return [];
  }
  files.sort().reverse();
  return Promise.all(files.map(async (f) => parseMessage(f, await fs.readFile(path.join(outboxDir, f), 'utf8'))));
}

export async function readOutboxMessage(outboxDir: string, file: string): Promise<OutboxMessage | null> {
  // Only names the outbox itself writes: no path can escape the folder.
  if (!FILE_NAME.test(file)) return null;
  try {
    return parseMessage(file, await fs.readFile(path.join(outboxDir, file), 'utf8'));
  } catch {
    return null;
  }
}
