import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomToken } from './tokens.ts';

export interface Secrets {
  sessionSecret: string;
}

/**
 * Secrets passed in the environment win; otherwise they are generated on first start and
 * kept in DATA_DIR/secrets.json (mode 600) so sessions survive a restart.
 */
export async function loadSecrets(dataDir: string, given: { sessionSecret?: string | undefined }): Promise<Secrets> {
  if (given.sessionSecret) return { sessionSecret: given.sessionSecret };
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Secrets>;
    if (stored.sessionSecret) return { sessionSecret: stored.sessionSecret };
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secrets: Secrets = { sessionSecret: randomToken(48) };
  await fs.writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
