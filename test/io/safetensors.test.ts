import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../../src/io/safetensors.js';

const FIXTURE = new URL('./fixtures/torch.safetensors', import.meta.url);

/** The tensors of make_safetensors_fixture.py, rebuilt from the same formulas. */
function fixtureTensors(): Record<string, SafeTensor> {
  return {
    weight: { dtype: 'F32', shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3) },
    ids: { dtype: 'I32', shape: [2, 5], data: Int32Array.from({ length: 10 }, (_, i) => i - 3) },
    mask: { dtype: 'U8', shape: [10], data: Uint8Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? 1 : 0)) },
    pixels: { dtype: 'U8', shape: [7], data: Uint8Array.from({ length: 7 }, (_, i) => i * 37) },
    bias: { dtype: 'F32', shape: [3], data: Float32Array.from([1.5, -2.25, 1e-8]) },
    empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
    scalar: { dtype: 'F32', shape: [], data: Float32Array.from([3.25]) },
  };
}
const FIXTURE_METADATA = { format: 'hmn-webgpu', note: 'ünïcode "quoted"\n' };

/** A file from a header object and data bytes, for the validation tests. */
function handMade(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const text = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips F32, I32 and U8 tensors, empty and scalar ones, and metadata', () => {
    const tensors = fixtureTensors();
    const { tensors: back, metadata } = readSafetensors(writeSafetensors(tensors, FIXTURE_METADATA));
    expect(metadata).toEqual(FIXTURE_METADATA);
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].dtype).toBe(t.dtype);
      expect(back[name].shape).toEqual(t.shape);
      expect(back[name].data).toEqual(t.data);
    }
  });

  it('lays files out as the reference implementation does', () => {
    // One F32 tensor [1, 2, 3]: a 64-byte header needs no padding.
    const one = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    const expected = new Uint8Array(8 + 64 + 24);
    expected[0] = 64;
    expected.set(new TextEncoder().encode(header), 8);
    expected.set(new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer), 72);
    expect(one).toEqual(expected);
    // No tensors: "{}" padded with spaces to 8 bytes.
    expect(Array.from(writeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    // Sorted F32, I32, U8, then by name; data 8-byte aligned.
    const file = writeSafetensors({
      b: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) },
      a: { dtype: 'U8', shape: [1], data: Uint8Array.of(2) },
      c: { dtype: 'I32', shape: [1], data: Int32Array.of(3) },
      d: { dtype: 'F32', shape: [1], data: Float32Array.of(4) },
    });
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(file.subarray(8, 8 + n));
    expect(Object.keys(JSON.parse(text))).toEqual(['d', 'c', 'a', 'b']);
    expect(text.trimEnd().length).toBeLessThan(n);
  });

  it('reads the PyTorch-made fixture and writes the same bytes for the same tensors', () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const { tensors, metadata } = readSafetensors(bytes, 'torch.safetensors');
    expect(metadata).toEqual(FIXTURE_METADATA);
    for (const [name, t] of Object.entries(fixtureTensors())) {
      expect(tensors[name].dtype, name).toBe(t.dtype);
      expect(tensors[name].shape, name).toEqual(t.shape);
      expect(tensors[name].data, name).toEqual(t.data);
    }
    expect(writeSafetensors(fixtureTensors(), FIXTURE_METADATA)).toEqual(bytes);
  });

  it('rejects bad headers', () => {
    expect(() => readSafetensors(new Uint8Array(5), 'f')).toThrow('f: 5 bytes is too short for the 8-byte header length');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => readSafetensors(huge, 'f')).toThrow('f: declares a 1099511627776-byte header (the limit is 100 MB)');
    const long = new Uint8Array(16);
    long[0] = 100;
    expect(() => readSafetensors(long, 'f')).toThrow('f: declares a 100-byte header but the file has only 16 bytes: truncated or not a safetensors file');
    expect(() => readSafetensors(handMade(null, new Uint8Array(0), '[1, 2]   '), 'f')).toThrow("f: the header does not start with '{'");
    expect(() => readSafetensors(handMade(null, new Uint8Array(0), '{"a": '), 'f')).toThrow('f: the header is not valid JSON');
    expect(() => readSafetensors(handMade({ __metadata__: { a: 1 } }, new Uint8Array(0)), 'f')).toThrow("f: __metadata__ 'a' is not a string");
    expect(() => readSafetensors(handMade({ w: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)), 'f')).toThrow(
      "f: tensor 'w' has dtype BF16; this reader supports F32, I32, U8",
    );
    expect(() => readSafetensors(handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'f')).toThrow("f: tensor 'w' has an invalid shape [-1]");
  });

  it('rejects sizes and offsets that do not fit', () => {
    expect(() => readSafetensors(handMade({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20)), 'f')).toThrow(
      "f: tensor 'w' is F32 [2,3] (24 bytes) but its data_offsets [0, 20] span 20 bytes",
    );
    const file = writeSafetensors(fixtureTensors());
    expect(() => readSafetensors(file.subarray(0, file.length - 3), 'cut')).toThrow(/cut: tensor 'pixels' data_offsets \[\d+, \d+\] run past the end of the data \(\d+ bytes\): truncated\?/);
    const overlap = { a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } };
    expect(() => readSafetensors(handMade(overlap, new Uint8Array(6)), 'f')).toThrow("f: tensors 'a' [0, 4] and 'b' [2, 6] overlap");
    const gap = { a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'U8', shape: [2], data_offsets: [4, 6] } };
    expect(() => readSafetensors(handMade(gap, new Uint8Array(6)), 'f')).toThrow('f: data bytes 2..4 belong to no tensor');
    expect(() => readSafetensors(handMade({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(5)), 'f')).toThrow('f: 3 bytes after the last tensor');
  });

  it('refuses to write inconsistent tensors', () => {
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow("'w' has 3 values for shape [2,2]");
    expect(() => writeSafetensors({ w: { dtype: 'I32', shape: [2], data: new Float32Array(2) } })).toThrow("'w' is I32 but its data is a Float32Array");
  });
});
