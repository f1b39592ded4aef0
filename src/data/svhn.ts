// SVHN, cropped digits (train_32x32.mat, test_32x32.mat, extra_32x32.mat): MATLAB level-5 MAT-files with
// X, uint8 [32, 32, 3, N] (MATLAB order X(row, col, channel, image), column-major), and y, double [N, 1],
// digits 1..9 and 10 for the digit 0. The official files store both as zlib-compressed elements.
import { DataError, formatCount } from '../io/errors.js';
import { readMat5, type MatVariable } from '../io/mat5.js';
import { checkDataset, type ImageDataset } from './dataset.js';
import { describe, requireFiles, type FileSource } from './files.js';

export type SvhnSplit = 'train' | 'test' | 'extra';
export const SVHN_FILES: Record<SvhnSplit, string> = { train: 'train_32x32.mat', test: 'test_32x32.mat', extra: 'extra_32x32.mat' };
export const SVHN_EXPECTED =
  'An SVHN folder holds the "cropped digits" MAT-files train_32x32.mat and test_32x32.mat (and optionally extra_32x32.mat) from ufldl.stanford.edu/housenumbers.';

const SIDE = 32;
const PIXELS = 3 * SIDE * SIDE;

/** MATLAB's X(row, col, ch, n), column-major, to NCHW: a 32x32 transpose of every channel plane. */
function columnMajorToNchw(x: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * PIXELS);
  const plane = SIDE * SIDE;
  for (let p = 0; p < count * 3; p++) {
    const base = p * plane; // image n, channel c: the same plane offset in both layouts
    for (let col = 0; col < SIDE; col++) {
      for (let row = 0; row < SIDE; row++) out[base + row * SIDE + col] = x[base + col * SIDE + row];
    }
  }
  return out;
}

function images(X: MatVariable | undefined, file: string): { pixels: Uint8Array; count: number } {
  if (!X) throw new DataError(`${file}: no variable X (SVHN's images, uint8 32x32x3xN)`);
  if (X.className !== 'uint8' || X.complex || !X.real) throw new DataError(`${file}: X is ${X.complex ? 'complex ' : ''}${X.className}; SVHN's X is uint8`);
  // MATLAB drops trailing singleton dimensions: one image is [32, 32, 3].
  const dims = X.dims.length === 3 ? [...X.dims, 1] : X.dims;
  if (dims.length !== 4 || dims[0] !== SIDE || dims[1] !== SIDE || dims[2] !== 3) {
    throw new DataError(`${file}: X has dimensions [${X.dims.join(', ')}]; SVHN's X is [32, 32, 3, N]`);
  }
  return { pixels: X.real as Uint8Array, count: dims[3] };
}

function labels(y: MatVariable | undefined, count: number, file: string): Int32Array {
  if (!y) throw new DataError(`${file}: no variable y (SVHN's labels, double Nx1)`);
  if (!y.real || y.complex || y.className === 'char' || y.real instanceof BigInt64Array || y.real instanceof BigUint64Array) {
    throw new DataError(`${file}: y is ${y.complex ? 'complex ' : ''}${y.className}; SVHN's y is a real double array`);
  }
  const vector = y.dims.filter((d) => d !== 1).length <= 1;
  if (!vector || y.real.length !== count) throw new DataError(`${file}: y has dimensions [${y.dims.join(', ')}]; with ${formatCount(count)} images in X it should be [${count}, 1]`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = y.real[i] as number;
    if (!Number.isInteger(v) || v < 1 || v > 10) throw new DataError(`${file}: y(${i + 1}) is ${v}; SVHN labels are 1..10 (10 for the digit 0)`);
    out[i] = v === 10 ? 0 : v;
  }
  return out;
}

/** Parses one SVHN MAT-file's bytes: images NCHW, labels 0..9 (the digit). */
export function parseSvhnMat(bytes: Uint8Array, file: string): { images: Uint8Array; labels: Int32Array; count: number } {
  const { variables } = readMat5(bytes, file);
  const { pixels, count } = images(variables.get('X'), file);
  return { images: columnMajorToNchw(pixels, count), labels: labels(variables.get('y'), count, file), count };
}

/** SVHN from its folder: 73257 train, 26032 test or 531131 extra digits of 32x32, classes '0'..'9'. */
export async function loadSvhn(source: FileSource, split: SvhnSplit): Promise<ImageDataset> {
  const file = SVHN_FILES[split];
  if (!file) throw new DataError(`SVHN has splits 'train', 'test' and 'extra', not '${split}'`);
  await requireFiles(source, [file], SVHN_EXPECTED);
  const { images, labels, count } = parseSvhnMat(await source.read(file), describe(source, file));
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  return checkDataset({ name: 'svhn', split, images, labels, count, channels: 3, height: SIDE, width: SIDE, classes: 10, classNames });
}
