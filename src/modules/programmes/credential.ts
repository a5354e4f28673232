import crypto, { type KeyObject } from 'node:crypto';

/**
 * Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0) signed with the deployment's
 * Ed25519 key, as a Data Integrity proof using the `eddsa-jcs-2022` cryptosuite: the proof
 * options and the document are each canonicalised with JCS (RFC 8785), hashed with SHA-256,
 * and the two hashes signed. JCS needs no JSON-LD context downloads, so anyone can check a
 * credential offline with the public key in its `did:key` verification method.
 */

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MULTICODEC_ED25519_PUB = Buffer.from([0xed, 0x01]);
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

export function fromBase58btc(text: string): Buffer | null {
  let n = 0n;
  for (const ch of text) {
    const i = BASE58.indexOf(ch);
    if (i < 0) return null;
    n = n * 58n + BigInt(i);
  }
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const zeros = /^1*/.exec(text)![0].length;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `did:key:z6Mk…`: the public key itself, so verifying needs nothing from the network. */
  did: string;
  verificationMethod: string;
  publicKeyMultibase: string;
}

/** The key from its 32-byte seed (kept base64url in the secrets file or SIGNING_KEY). */
export function signingKeyFromSeed(seedBase64url: string): SigningKey {
  const seed = Buffer.from(seedBase64url, 'base64url');
  if (seed.length !== 32) throw new Error('The signing key must be 32 bytes, base64url encoded');
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = crypto.createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const publicKeyMultibase = 'z' + base58btc(Buffer.concat([MULTICODEC_ED25519_PUB, raw]));
  const did = `did:key:${publicKeyMultibase}`;
  return { privateKey, publicKey, did, verificationMethod: `${did}#${publicKeyMultibase}`, publicKeyMultibase };
}

export const newSigningSeed = () => crypto.randomBytes(32).toString('base64url');

/** The public key named by a `did:key` verification method, or null if it is not one. */
export function publicKeyFromDidKey(verificationMethod: string): KeyObject | null {
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)#(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(verificationMethod);
  if (!m || m[1] !== m[2]) return null;
  const bytes = fromBase58btc(m[1]!.slice(1));
  if (!bytes || bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return null;
  const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
  try {
    return crypto.createPublicKey({ key: Buffer.concat([spkiPrefix, bytes.subarray(2)]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

type Json = Record<string, unknown>;

/**
 * JSON Canonicalization Scheme (RFC 8785): keys sorted by UTF-16 code units (JavaScript's own
 * string order), no whitespace, and numbers and strings as ECMAScript's JSON.stringify writes
 * them, which is exactly what the RFC specifies.
 */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('JCS cannot represent NaN or Infinity');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Json)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalize(v)}`).join(',')}}`;
}

function hashData(document: Json, proofOptions: Json): Buffer {
  const sha = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();
  return Buffer.concat([sha(canonicalize(proofOptions)), sha(canonicalize(document))]);
}

/** Adds a DataIntegrityProof (eddsa-jcs-2022) to an unsigned credential. */
export function signCredential(unsigned: Json, key: SigningKey, created: Date): Json {
  const proofOptions: Json = {
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-jcs-2022',
    created: created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    verificationMethod: key.verificationMethod,
    proofPurpose: 'assertionMethod',
    '@context': unsigned['@context'],
  };
  const signature = crypto.sign(null, hashData(unsigned, proofOptions), key.privateKey);
  return { ...unsigned, proof: { ...proofOptions, proofValue: 'z' + base58btc(signature) } };
}

export type CredentialCheck = { ok: true; verificationMethod: string } | { ok: false; reason: string };

/**
 * Checks a credential's proof: any change to the document or the proof options breaks it.
 * Says why in words a person can act on.
 */
export function verifyCredential(credential: unknown): CredentialCheck {
  if (!credential || typeof credential !== 'object' || Array.isArray(credential))
    return { ok: false, reason: 'This is not a credential: it should be a JSON object' };
  const { proof, ...document } = credential as Json;
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) return { ok: false, reason: 'The credential has no proof (signature)' };
  const { proofValue, ...options } = proof as Json;
  if (options.type !== 'DataIntegrityProof' || options.cryptosuite !== 'eddsa-jcs-2022')
    return { ok: false, reason: 'The proof is not an eddsa-jcs-2022 Data Integrity proof' };
  if (typeof proofValue !== 'string' || !proofValue.startsWith('z'))
    return { ok: false, reason: 'The proof value is missing or not multibase' };
  if (typeof options.verificationMethod !== 'string') return { ok: false, reason: 'The proof does not say which key signed it' };
  const publicKey = publicKeyFromDidKey(options.verificationMethod);
  if (!publicKey) return { ok: false, reason: 'The proof’s key is not a did:key Ed25519 key' };
  const signature = fromBase58btc(proofValue.slice(1));
  if (!signature || signature.length !== 64) return { ok: false, reason: 'The signature is malformed' };
  if (options['@context'] !== undefined && canonicalize(options['@context']) !== canonicalize(document['@context']))
    return { ok: false, reason: 'The proof was made for a different @context' };
  const valid = crypto.verify(null, hashData(document, { ...options, '@context': document['@context'] }), publicKey, signature);
  return valid
    ? { ok: true, verificationMethod: options.verificationMethod }
    : { ok: false, reason: 'The signature does not match: the credential has been changed since it was issued' };
}
