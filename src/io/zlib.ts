// zlib streams (RFC 1950: a 2-byte header, raw deflate data, the Adler-32 of the output) decompressed with
// fflate, which works unchanged in Node and the browser. fflate itself neither checks the trailer nor
// stops at a given size, so these wrappers do: corrupt or truncated data becomes a DataError naming what
// was being read, never a wrong array.
import { Unzlib, unzlibSync } from 'fflate';
import { adler32 } from './checksums.js';
import { DataError } from './errors.js';

function corrupt(what: string, problem: string): DataError {
  return new DataError(`${what}: corrupt compressed data (${problem})`);
}

function checkHeader(data: Uint8Array, what: string): void {
  if (data.length < 6) throw corrupt(what, `${data.length} bytes is too short for a zlib stream`);
  const [cmf, flg] = data;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0) {
    throw corrupt(what, `not a zlib stream: header bytes 0x${cmf.toString(16)} 0x${flg.toString(16)}`);
  }
  if (flg & 0x20) throw corrupt(what, 'the zlib stream needs a preset dictionary');
}

/**
 * The first `n` decompressed bytes (fewer if the stream is shorter), decompressing only about as much as
 * that needs: how a reader learns the size of what a stream holds before allocating for all of it.
 */
export function inflateZlibPrefix(data: Uint8Array, n: number, what: string): Uint8Array {
  checkHeader(data, what);
  const parts: Uint8Array[] = [];
  let got = 0;
  const stream = new Unzlib((chunk) => {
    parts.push(chunk);
    got += chunk.length;
  });
  const step = 512;
  try {
    for (let at = 0; at < data.length && got < n; at += step) {
      const end = Math.min(data.length, at + step);
      stream.push(data.subarray(at, end), end === data.length);
    }
  } catch (e) {
    throw corrupt(what, (e as Error).message);
  }
  const out = new Uint8Array(Math.min(n, got));
  let at = 0;
  for (const p of parts) {
    if (at >= out.length) break;
    out.set(p.subarray(0, out.length - at), at);
    at += p.length;
  }
  return out;
}

/** Decompresses a whole zlib stream that must hold exactly `size` bytes; checks the size and the Adler-32. */
export function inflateZlib(data: Uint8Array, size: number, what: string): Uint8Array {
  checkHeader(data, what);
  // One spare byte: fflate silently drops output beyond a given buffer, so a stream that fills the spare
  // byte is longer than it should be.
  const out = new Uint8Array(size + 1);
  let produced: number;
  try {
    produced = unzlibSync(data, { out }).length;
  } catch (e) {
    throw corrupt(what, (e as Error).message);
  }
  if (produced !== size) throw corrupt(what, `it decompresses to ${produced > size ? 'more than' : 'only'} ${Math.min(produced, size)} bytes, expected ${size}`);
  const result = out.subarray(0, size);
  const stored = new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, false);
  if (adler32(result) !== stored) throw corrupt(what, 'the Adler-32 checksum does not match');
  return result;
}
