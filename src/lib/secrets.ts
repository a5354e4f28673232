import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { newSigningSeed } from '../modules/programmes/credential.ts';
import { randomToken } from './tokens.ts';

export interface Secrets {
  sessionSecret: string;
  /** Ed25519 seed (base64url) that signs certificates' credentials. */
  signingKey: string;
}

/**
 * Secrets passed in the environment win; any not passed are generated on first start and
 * kept in DATA_DIR/secrets.json (mode 600), so sessions and certificate keys survive a restart.
 */
export async function loadSecrets(
  dataDir: string,
  given: { sessionSecret?: string | undefined; signingKey?: string | undefined },
): Promise<Secrets> {
  if (given.sessionSecret && given.signingKey) return { sessionSecret: given.sessionSecret, signingKey: given.signingKey };
  const file = path.join(dataDir, 'secrets.json');
  const stored: Partial<Secrets> = existsSync(file) ? JSON.parse(await fs.readFile(file, 'utf8')) : {};
  const kept = { sessionSecret: stored.sessionSecret ?? randomToken(48), signingKey: stored.signingKey ?? newSigningSeed() };
  if (kept.sessionSecret !== stored.sessionSecret || kept.signingKey !== stored.signingKey) {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.writeFile(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  }
  return { sessionSecret: given.sessionSecret ?? kept.sessionSecret, signingKey: given.signingKey ?? kept.signingKey };
}
