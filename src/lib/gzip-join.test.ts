import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { crc32Combine, deflatePiece, joinGzip, pieceFor, storedPiece } from './gzip-join.ts';

test('the CRC of two parts, combined, is the CRC of the whole', () => {
  for (const [a, b] of [
    [0, 0],
    [0, 7],
    [5, 0],
    [1, 1],
    [1000, 3],
    [3, 65_537],
    [100_000, 250_000],
  ] as const) {
    const first = randomBytes(a);
    const second = randomBytes(b);
    assert.equal(crc32Combine(zlib.crc32(first), zlib.crc32(second), b), zlib.crc32(Buffer.concat([first, second])), `${a} then ${b}`);
  }
});

test('pieces compressed apart and joined unzip to the text in order, with a trailer gunzip checks', () => {
  const rows = Array.from({ length: 500 }, (_, i) => `<tr><td>Person ${i}</td><td>Plenary</td><td>Confirmed</td></tr>\n`).join('');
  const parts = ['<!doctype html><header>Signed in as Ada</header>', rows, '', 'Ünïcödé · 名前 · اسم', '<footer>Thanks</footer>'];
  const kept = deflatePiece(rows, 9);
  // Kept compressed, made compressed, and stored as it is, in any order.
  const joined = joinGzip(parts.map((p, i) => (p === rows ? kept : i % 2 ? storedPiece(p) : deflatePiece(p))));
  assert.equal(zlib.gunzipSync(joined).toString(), parts.join(''));
  assert.ok(joined.length < Buffer.byteLength(rows) / 10, 'and it is compressed');
  // A corrupted piece is caught by the trailer, as a browser would catch it.
  const broken = Buffer.from(joined);
  broken[broken.length - 5]! ^= 1;
  assert.throws(() => zlib.gunzipSync(broken));
  assert.equal(zlib.gunzipSync(joinGzip([])).length, 0);
});

test('a stored piece longer than one block, and pieces made for a viewer, join as well', () => {
  const big = randomBytes(150_000).toString('base64');
  const joined = joinGzip([storedPiece(big), pieceFor('short'), pieceFor(big), storedPiece('')]);
  assert.equal(zlib.gunzipSync(joined).toString(), `${big}short${big}`);
});
