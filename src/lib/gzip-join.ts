import zlib from 'node:zlib';

/**
 * A gzip body made from pieces compressed apart, so a large part of a page that is the same for
 * every viewer (an organiser's list of 500 registrations) is compressed once and sent to each
 * viewer between their own header and footer, compressed on the way (pigz joins its blocks the
 * same way). Each piece is raw deflate that ends on a byte boundary (a sync flush) and refers to
 * nothing before it, so pieces can follow one another; the gzip trailer's CRC-32 is combined from
 * the pieces' own, without reading the kept piece again.
 */
export interface DeflatedPiece {
  deflated: Buffer;
  crc: number;
  length: number;
}

export function deflatePiece(text: string | Buffer, level: number = zlib.constants.Z_DEFAULT_COMPRESSION): DeflatedPiece {
  const input = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    deflated: zlib.deflateRawSync(input, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    crc: zlib.crc32(input),
    length: input.length,
  };
}

/**
 * A piece sent as it is, in stored blocks: for the few hundred bytes around kept parts, where
 * setting up a compressor costs more than the bytes it would save.
 */
export function storedPiece(text: string | Buffer): DeflatedPiece {
  const input = typeof text === 'string' ? Buffer.from(text) : text;
  const blocks: Buffer[] = [];
  for (let at = 0; at < input.length; at += 0xffff) {
    const data = input.subarray(at, at + 0xffff);
    const head = Buffer.alloc(5);
    // Not the last block, stored (BFINAL 0, BTYPE 00), then its length and the length's complement.
    head.writeUInt16LE(data.length, 1);
    head.writeUInt16LE(~data.length & 0xffff, 3);
    blocks.push(head, data);
  }
  return { deflated: Buffer.concat(blocks), crc: zlib.crc32(input), length: input.length };
}

/** Made for one viewer: small pieces stored, larger ones compressed quickly. */
export function pieceFor(text: string): DeflatedPiece {
  return text.length < 4096 ? storedPiece(text) : deflatePiece(text, zlib.constants.Z_BEST_SPEED);
}

// Fixed header (deflate, no name, no time, unknown OS) and a last, empty, fixed-code block.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const LAST_BLOCK = Buffer.from([0x03, 0x00]);

export function joinGzip(pieces: DeflatedPiece[]): Buffer {
  let crc = 0;
  let length = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc, p.length);
    length += p.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, ...pieces.map((p) => p.deflated), LAST_BLOCK, trailer]);
}

// CRC-32 of A followed by B from crc(A), crc(B) and B's length, as zlib's crc32_combine does it:
// multiply crc(A) by x^(8·len(B)) modulo the CRC polynomial, then add crc(B).
const POLY = 0xedb88320;
const TOP = 0x80000000;

/** a·b modulo the polynomial, both in zlib's reflected bit order. */
function multiplyModP(a: number, b: number): number {
  let m = TOP;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? ((b >>> 1) ^ POLY) >>> 0 : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: number[] = [];
for (let k = 0, p = TOP >>> 1; k < 32; k++, p = multiplyModP(p, p)) X2N.push(p);

/** x^(n·2^k) modulo the polynomial. */
function xPowerModP(n: number, k: number): number {
  let p = TOP;
  while (n) {
    if (n % 2) p = multiplyModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(xPowerModP(lengthB, 3), crcA >>> 0) ^ crcB) >>> 0;
}
