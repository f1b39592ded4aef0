// Reads a fixture written by test/fixtures/*.py: <name>.json indexes arrays (dtype, byte offset, shape)
// stored back to back, little-endian, in <name>.bin. Node only (the shared cases never read files).
import { readFileSync } from 'node:fs';

interface ArrayEntry { dtype: 'f32' | 'i32'; offset: number; shape: number[] }

export interface Fixture {
  meta: Record<string, unknown>;
  shape(name: string): number[];
  f32(name: string): Float32Array;
  i32(name: string): Int32Array;
}

export function loadFixture(name: string): Fixture {
  const dir = new URL('../fixtures/', import.meta.url);
  const meta = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as { arrays: Record<string, ArrayEntry> };
  const bin = readFileSync(new URL(`${name}.bin`, dir));
  const entry = (key: string, dtype: ArrayEntry['dtype']): [ArrayEntry, ArrayBuffer] => {
    const e = meta.arrays[key];
    if (!e) throw new Error(`fixture ${name} has no '${key}'`);
    if (e.dtype !== dtype) throw new Error(`fixture ${name}: '${key}' is ${e.dtype}, not ${dtype}`);
    const bytes = 4 * e.shape.reduce((a, b) => a * b, 1);
    // A copy: Buffer's memory may be shared and unaligned.
    return [e, bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + bytes)];
  };
  return {
    meta,
    shape: (key) => entry(key, meta.arrays[key]?.dtype ?? 'f32')[0].shape,
    f32: (key) => new Float32Array(entry(key, 'f32')[1]),
    i32: (key) => new Int32Array(entry(key, 'i32')[1]),
  };
}
