import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../src/data/node-files.js';
import { loadSvhn, parseSvhnMat } from '../../src/data/svhn.js';
import { MI, writeMat5, type TestVariable } from '../io/mat5-writer.js';
import { scratchFolder } from './helpers.js';

/** MATLAB's X(row, col, ch, n) (0-based here) of the test files; the scipy fixture uses the same formula. */
const pixel = (row: number, col: number, ch: number, n: number) => (7 * row + 3 * col + 50 * ch + 11 * n) % 256;

/** X as MATLAB stores it: column-major, row fastest. */
function columnMajorX(count: number): Uint8Array {
  const x = new Uint8Array(32 * 32 * 3 * count);
  let i = 0;
  for (let n = 0; n < count; n++) for (let ch = 0; ch < 3; ch++) for (let col = 0; col < 32; col++) for (let row = 0; row < 32; row++) x[i++] = pixel(row, col, ch, n);
  return x;
}

function svhnVariables(labels: number[], overrides: Partial<Record<'X' | 'y', Partial<TestVariable>>> = {}): TestVariable[] {
  const count = labels.length;
  return [
    { name: 'X', className: 'uint8', dims: [32, 32, 3, count], real: columnMajorX(count), ...overrides.X },
    // As MATLAB saves SVHN's y: class double, stored as miUINT8 because the values fit.
    { name: 'y', className: 'double', dims: [count, 1], real: labels, storage: MI.UINT8, ...overrides.y },
  ];
}

function checkImages(images: Uint8Array, count: number) {
  for (let n = 0; n < count; n++) {
    for (const [ch, row, col] of [[0, 0, 0], [0, 0, 1], [1, 5, 2], [2, 31, 30], [2, 17, 31]]) {
      expect(images[n * 3072 + ch * 1024 + row * 32 + col], `image ${n} channel ${ch} (${row}, ${col})`).toBe(pixel(row, col, ch, n));
    }
  }
}

describe('SVHN', () => {
  const labels = [1, 10, 5, 10, 9, 2, 3];

  it('reads compressed MAT-files as the official ones: X transposed to NCHW, 10 becomes digit 0', async () => {
    const folder = scratchFolder({ 'train_32x32.mat': writeMat5(svhnVariables(labels), { compress: true }) });
    const ds = await loadSvhn(nodeFiles(folder), 'train');
    expect([ds.name, ds.split, ds.count, ds.channels, ds.height, ds.width, ds.classes]).toEqual(['svhn', 'train', 7, 3, 32, 32, 10]);
    expect(Array.from(ds.labels)).toEqual([1, 0, 5, 0, 9, 2, 3]);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    checkImages(ds.images, 7);
  });

  it('reads uncompressed, big-endian, y stored as doubles, and a single image (MATLAB drops its trailing 1)', () => {
    for (const options of [{}, { bigEndian: true }, { bigEndian: true, compress: true }]) {
      const parsed = parseSvhnMat(writeMat5(svhnVariables(labels, { y: { storage: MI.DOUBLE } }), options), 'test_32x32.mat');
      expect(Array.from(parsed.labels)).toEqual([1, 0, 5, 0, 9, 2, 3]);
      checkImages(parsed.images, 7);
    }
    const one = parseSvhnMat(writeMat5(svhnVariables([4], { X: { dims: [32, 32, 3] } }), { compress: true }), 'one.mat');
    expect([one.count, one.labels[0]]).toEqual([1, 4]);
    checkImages(one.images, 1);
  });

  it('reads the file scipy.io.savemat wrote (make_svhn_fixture.py)', () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/svhn_scipy_32x32.mat', import.meta.url)));
    const parsed = parseSvhnMat(bytes, 'svhn_scipy_32x32.mat');
    expect(Array.from(parsed.labels)).toEqual([1, 0, 5, 0, 9]);
    checkImages(parsed.images, 5);
  });

  it('says what is wrong with a damaged or different file', async () => {
    const good = writeMat5(svhnVariables(labels), { compress: true });
    expect(() => parseSvhnMat(good.subarray(0, good.length - 100), 'train_32x32.mat')).toThrow(
      /train_32x32\.mat: the miCOMPRESSED element at byte \d+ declares [\d,]+ bytes but only [\d,]+ remain: truncated\?/,
    );
    const corrupt = good.slice();
    corrupt[400] ^= 0xff;
    expect(() => parseSvhnMat(corrupt, 'train_32x32.mat')).toThrow(/train_32x32\.mat: the compressed element at byte 128: corrupt compressed data/);
    const cases: [Partial<Record<'X' | 'y', Partial<TestVariable>>>, number[], string][] = [
      [{ X: { className: 'double', storage: MI.UINT8 } }, labels, "X is double; SVHN's X is uint8"],
      [{ X: { dims: [32, 32, 7], real: columnMajorX(7).subarray(0, 32 * 32 * 7) } }, labels, "X has dimensions [32, 32, 7]; SVHN's X is [32, 32, 3, N]"],
      [{ X: { name: 'images' } }, labels, "no variable X (SVHN's images, uint8 32x32x3xN)"],
      [{}, [1, 2, 11, 3, 4, 5, 6], 'y(3) is 11; SVHN labels are 1..10 (10 for the digit 0)'],
      [{ y: { storage: MI.DOUBLE, real: [1, 2, 2.5, 3, 4, 5, 6] } }, labels, 'y(3) is 2.5; SVHN labels are 1..10'],
      [{ y: { dims: [6, 1], real: [1, 2, 3, 4, 5, 6] } }, labels, 'y has dimensions [6, 1]; with 7 images in X it should be [7, 1]'],
    ];
    for (const [overrides, ys, message] of cases) {
      expect(() => parseSvhnMat(writeMat5(svhnVariables(ys, overrides), { compress: true }), 'train_32x32.mat'), message).toThrow(`train_32x32.mat: ${message}`);
    }
    await expect(loadSvhn(nodeFiles(scratchFolder({ 'x.txt': 'x' })), 'test')).rejects.toThrow(/missing test_32x32\.mat\. An SVHN folder holds/);
  });
});
