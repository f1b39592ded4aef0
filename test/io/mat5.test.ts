import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import { readMat5 } from '../../src/io/mat5.js';
import { inflateZlib, inflateZlibPrefix } from '../../src/io/zlib.js';
import { adler32, crc32 } from '../../src/io/checksums.js';
import { headerBytes, matrixElement, MI, writeMat5, type TestVariable } from './mat5-writer.js';

const ascii = (s: string) => new TextEncoder().encode(s);

const VARIABLES: TestVariable[] = [
  { name: 'X', className: 'uint8', dims: [2, 3, 2], real: [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255] },
  // MATLAB stores a double array of small integers as miUINT8.
  { name: 'y', className: 'double', dims: [5, 1], real: [1, 10, 3, 10, 7], storage: MI.UINT8 },
  { name: 'tiny', className: 'double', dims: [1, 1], real: [2], storage: MI.UINT8 }, // a small data element
  { name: 'weights', className: 'single', dims: [2, 2], real: [0.5, -1.25, 3, 1e-3] },
  { name: 'z', className: 'double', dims: [1, 3], real: [1, 2, 3], imag: [-1, 0, 0.5] },
  { name: 'deltas', className: 'int16', dims: [1, 4], real: [-300, 0, 5, 32767], storage: MI.INT16 },
  { name: 'counts', className: 'int32', dims: [1, 3], real: [-2, 100, 70000] },
  { name: 'flags', className: 'uint8', dims: [1, 3], real: [1, 0, 1], logical: true },
  { name: 'label', className: 'char', dims: [1, 2], real: [104, 105] },
];

function checkVariables(bytes: Uint8Array) {
  const { variables } = readMat5(bytes, 'test.mat');
  expect([...variables.keys()]).toEqual(VARIABLES.map((v) => v.name));
  for (const v of VARIABLES) {
    const got = variables.get(v.name)!;
    expect(got.className).toBe(v.className);
    expect(got.dims).toEqual(v.dims);
    expect(got.logical).toBe(!!v.logical);
    expect(got.complex).toBe(!!v.imag);
    const expected = v.className === 'single' ? Array.from(new Float32Array(v.real as number[])) : Array.from(v.real);
    expect(Array.from(got.real as ArrayLike<number>)).toEqual(expected);
    if (v.imag) expect(Array.from(got.imag as ArrayLike<number>)).toEqual(Array.from(v.imag));
  }
  const types = Object.fromEntries([...variables.values()].map((v) => [v.name, v.real!.constructor.name]));
  expect(types).toMatchObject({ X: 'Uint8Array', y: 'Float64Array', weights: 'Float32Array', deltas: 'Int16Array', counts: 'Int32Array', label: 'Uint16Array' });
}

describe('checksums', () => {
  it('match the published check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(adler32(ascii('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(100_000).fill(255))).toBe(adler32Reference(new Uint8Array(100_000).fill(255)));
  });
});

function adler32Reference(bytes: Uint8Array): number {
  let a = 1, b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('zlib', () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 251);
  const z = zlibSync(data);

  it('inflates, and reads a prefix without the rest', () => {
    expect(inflateZlib(z, data.length, 'x')).toEqual(data);
    expect(inflateZlibPrefix(z, 8, 'x')).toEqual(data.subarray(0, 8));
  });

  it('rejects a wrong size, a bad checksum, truncation and garbage', () => {
    expect(() => inflateZlib(z, data.length + 1, 'blob')).toThrow('blob: corrupt compressed data (it decompresses to only 5000 bytes, expected 5001)');
    expect(() => inflateZlib(z, data.length - 1, 'blob')).toThrow('it decompresses to more than 4999 bytes');
    const badSum = z.slice();
    badSum[badSum.length - 1] ^= 1;
    expect(() => inflateZlib(badSum, data.length, 'blob')).toThrow('Adler-32 checksum does not match');
    expect(() => inflateZlib(z.subarray(0, z.length - 20), data.length, 'blob')).toThrow(/blob: corrupt compressed data/);
    expect(() => inflateZlib(ascii('not zlib at all'), 10, 'blob')).toThrow('not a zlib stream');
  });
});

describe('readMat5', () => {
  it('reads what a spec-following writer writes: uncompressed, compressed, big-endian', () => {
    checkVariables(writeMat5(VARIABLES));
    checkVariables(writeMat5(VARIABLES, { compress: true }));
    checkVariables(writeMat5(VARIABLES, { bigEndian: true }));
    checkVariables(writeMat5(VARIABLES, { compress: true, bigEndian: true }));
    expect(readMat5(writeMat5(VARIABLES, { bigEndian: true }), 'be.mat').littleEndian).toBe(false);
  });

  it('rejects files that are not level-5 MAT-files, with the reason', () => {
    expect(() => readMat5(new Uint8Array(40), 'a.mat')).toThrow('a.mat: 40 bytes is too short for a MAT-file');
    const notMat = new Uint8Array(200).fill(0x41);
    expect(() => readMat5(notMat, 'b.mat')).toThrow('b.mat: not a MATLAB level-5 MAT-file');
    const v73 = headerBytes(true, 'MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .');
    new DataView(v73.buffer).setUint16(124, 0x0200, true);
    expect(() => readMat5(v73, 'c.mat')).toThrow('c.mat: a MAT v7.3 (HDF5) file, which this reader does not support');
    const badEndian = headerBytes(true);
    badEndian.set(ascii('XX'), 126);
    expect(() => readMat5(badEndian, 'd.mat')).toThrow('d.mat: bad endian indicator "XX"');
  });

  it('rejects truncated and corrupt files, naming where', () => {
    const plain = writeMat5(VARIABLES);
    expect(() => readMat5(plain.subarray(0, 200), 'cut.mat')).toThrow(/cut\.mat: the miMATRIX element at byte 128 declares \d+ bytes but only 64 remain: truncated\?/);
    const packed = writeMat5([VARIABLES[0]], { compress: true });
    expect(() => readMat5(packed.subarray(0, packed.length - 5), 'cut.mat')).toThrow(/cut\.mat: the miCOMPRESSED element at byte 128 declares \d+ bytes but only \d+ remain: truncated\?/);
    const corrupt = packed.slice();
    corrupt[128 + 8 + 12] ^= 0x5a; // inside the deflate data
    expect(() => readMat5(corrupt, 'bad.mat')).toThrow(/bad\.mat: the compressed element at byte 128: corrupt compressed data/);
    // A compressed element whose inner tag claims far more than its compressed bytes can hold.
    const tag = new Uint8Array(16);
    new DataView(tag.buffer).setUint32(0, MI.MATRIX, true);
    new DataView(tag.buffer).setUint32(4, 0xfffffff0, true);
    const z = zlibSync(tag);
    const bogus = new Uint8Array(128 + 8 + z.length);
    bogus.set(headerBytes(true));
    new DataView(bogus.buffer).setUint32(128, MI.COMPRESSED, true);
    new DataView(bogus.buffer).setUint32(132, z.length, true);
    bogus.set(z, 136);
    expect(() => readMat5(bogus, 'huge.mat')).toThrow(/huge\.mat: the compressed element at byte 128: it claims 4,294,967,280 bytes, more than \d+ compressed bytes can hold/);
  });

  it('rejects inconsistent arrays', () => {
    const le = true;
    const element = matrixElement({ name: 'X', className: 'uint8', dims: [4, 4], real: [1, 2, 3, 4, 5, 6, 7, 8] }, le);
    const file = new Uint8Array(128 + element.length);
    file.set(headerBytes(le));
    file.set(element, 128);
    expect(() => readMat5(file, 'short.mat')).toThrow("short.mat: the array at byte 128: variable 'X' (uint8 [4,4]): the real part holds 8 bytes of miUINT8 (1 per value) but its dimensions need 16 values");
    const stray = new Uint8Array(136);
    stray.set(headerBytes(le));
    stray.set([2, 0, 0, 0, 0, 0, 0, 0], 128); // an miUINT8 element at the top level
    expect(() => readMat5(stray, 'stray.mat')).toThrow('stray.mat: unexpected miUINT8 element at byte 128 (expected miMATRIX or miCOMPRESSED)');
  });

  // MAT-files written by MATLAB itself (6.5 uncompressed, 7.1 and 7.4 compressed, and big-endian ones from
  // Solaris) ship with scipy's tests; where scipy is installed, read them and compare with scipy.io.loadmat.
  const scipyData = findScipyMatlabData();
  it.skipIf(!scipyData)('reads MATLAB-written files as scipy.io.loadmat does' + (scipyData ? '' : ' (skipped: no python3 with scipy)'), () => {
    const { dir, python } = scipyData!;
    const files = ['testdouble', 'testmatrix', 'test3dmatrix', 'testminus', 'testcomplex', 'testmulti', 'teststringarray']
      .flatMap((stem) => ['6.1_SOL2', '6.5.1_GLNX86', '7.1_GLNX86', '7.4_GLNX86'].map((v) => `${stem}_${v}.mat`))
      .filter((f) => existsSync(join(dir, f)));
    expect(files.length).toBeGreaterThan(15);
    const script = [
      'import json, sys, numpy as np, scipy.io',
      'out = {}',
      'for path in sys.argv[1:]:',
      '    m = scipy.io.loadmat(path, chars_as_strings=False)',
      '    out[path] = {k: {"dims": list(v.shape), "re": [ord(c) for c in v.flatten(order="F")] if v.dtype.kind == "U" else np.real(v).flatten(order="F").astype(float).tolist(), "im": np.imag(v).flatten(order="F").astype(float).tolist() if np.iscomplexobj(v) else None} for k, v in m.items() if not k.startswith("__")}',
      'print(json.dumps(out))',
    ].join('\n');
    const paths = files.map((f) => join(dir, f));
    const expected = JSON.parse(execFileSync(python, ['-c', script, ...paths], { encoding: 'utf8' }));
    for (const path of paths) {
      const { variables } = readMat5(new Uint8Array(readFileSync(path)), path);
      for (const [name, want] of Object.entries(expected[path] as Record<string, { dims: number[]; re: number[]; im: number[] | null }>)) {
        const got = variables.get(name)!;
        expect(got.dims, `${path} ${name}`).toEqual(want.dims);
        expect(Array.from(got.real as ArrayLike<number>), `${path} ${name}`).toEqual(want.re);
        if (want.im) expect(Array.from(got.imag as ArrayLike<number>), `${path} ${name}`).toEqual(want.im);
      }
    }
  });
});

function findScipyMatlabData(): { dir: string; python: string } | null {
  try {
    const python = 'python3';
    const dir = execFileSync(python, ['-c', 'import os, scipy.io.matlab as m; print(os.path.join(os.path.dirname(m.__file__), "tests", "data"))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return existsSync(join(dir, 'testdouble_7.4_GLNX86.mat')) ? { dir, python } : null;
  } catch {
    return null;
  }
}
