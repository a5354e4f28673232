import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  base58btc,
  canonicalize,
  fromBase58btc,
  newSigningSeed,
  signCredential,
  signingKeyFromSeed,
  verifyCredential,
} from './credential.ts';

const unsigned = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'https://example.org/certificates/7KQ9-M2XD-4TRA',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: 'https://example.org/api/v1/issuer', type: ['Profile'], name: 'Example' },
  validFrom: '2018-11-28T00:00:00Z',
  credentialSubject: {
    type: ['AchievementSubject'],
    identifier: [{ type: 'IdentityObject', identityHash: 'Sam Okafor', identityType: 'name', hashed: false }],
  },
};

test('JCS orders keys by UTF-16 code units and writes numbers as ECMAScript does (RFC 8785 examples)', () => {
  assert.equal(
    canonicalize({ b: 1, a: [true, null, 'x'], '\u20ac': 2, '\r': 3, '\ud83d\ude00': 4, '1': 5 }),
    '{"\\r":3,"1":5,"a":[true,null,"x"],"b":1,"€":2,"😀":4}',
  );
  assert.equal(canonicalize({ n: [1e21, 0.000001, -0, 333333333.3333333] }), '{"n":[1e+21,0.000001,0,333333333.3333333]}');
});

test('base58btc round-trips, keeping leading zero bytes', () => {
  const bytes = Buffer.from([0, 0, 1, 2, 255, 254]);
  assert.deepEqual(fromBase58btc(base58btc(bytes)), bytes);
  assert.equal(base58btc(Buffer.from('Hello World!')), '2NEpo7TZRRrLZSi2U');
});

test('a did:key from the seed is an Ed25519 multikey (z6Mk…)', () => {
  const key = signingKeyFromSeed(newSigningSeed());
  assert.match(key.did, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
  assert.equal(key.verificationMethod, `${key.did}#${key.did.slice('did:key:'.length)}`);
});

test('a signed credential verifies, and any change to it breaks the signature', () => {
  const key = signingKeyFromSeed(newSigningSeed());
  const signed = signCredential(unsigned, key, new Date('2018-11-28T15:00:00Z'));
  const proof = signed.proof as Record<string, unknown>;
  assert.equal(proof.cryptosuite, 'eddsa-jcs-2022');
  assert.deepEqual(verifyCredential(signed), { ok: true, verificationMethod: key.verificationMethod });
  // Through JSON and back, as a downloaded file would be.
  assert.equal(verifyCredential(JSON.parse(JSON.stringify(signed))).ok, true);

  const renamed = structuredClone(signed) as typeof signed & { credentialSubject: { identifier: { identityHash: string }[] } };
  renamed.credentialSubject.identifier[0]!.identityHash = 'Someone Else';
  assert.deepEqual(verifyCredential(renamed), {
    ok: false,
    reason: 'The signature does not match: the credential has been changed since it was issued',
  });

  const redated = { ...signed, proof: { ...proof, created: '2030-01-01T00:00:00Z' } };
  assert.equal(verifyCredential(redated).ok, false);

  const otherKey = signingKeyFromSeed(newSigningSeed());
  const forged = { ...signed, proof: { ...proof, verificationMethod: otherKey.verificationMethod } };
  assert.equal(verifyCredential(forged).ok, false);

  assert.equal(verifyCredential({ ...signed, proof: undefined }).ok, false);
  assert.equal(verifyCredential('not json').ok, false);
  assert.equal(verifyCredential({ ...signed, proof: { ...proof, proofValue: 'z111' } }).ok, false);
});
