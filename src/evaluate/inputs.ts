// What `hmn evaluate` trains on (Node only: reads files): a condense run directory (its HMN decoded in
// full), a safetensors file of images + labels (what `hmn decode` writes), or random real training images.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from '../../engine/index.js';
import { decodeHmn } from '../condense/checkpoint.js';
import { indicesByClass, subset, type ImageDataset } from '../data/dataset.js';
import { decodeAll } from '../hmn/decode-all.js';
import { DataError } from '../io/errors.js';
import { readSafetensors } from '../io/safetensors.js';
import { RUN_FILES } from '../node/run-dir.js';
import type { FloatImages } from './train.js';

export interface LoadedImages {
  kind: 'run' | 'safetensors';
  /** The file the images came from. */
  file: string;
  images: FloatImages;
}

/**
 * The images of a run directory (decoded from hmn.safetensors) or of a safetensors file, checked against
 * the test set's image shape and class count (`like`).
 */
export async function loadImagesFrom(path: string, like: Pick<FloatImages, 'channels' | 'height' | 'width' | 'classes'>, onProgress?: (done: number, total: number) => void): Promise<LoadedImages> {
  if (!existsSync(path)) throw new DataError(`${path}: not found (give a run directory of hmn condense or a .safetensors file of images and labels)`);
  const loaded: LoadedImages = statSync(path).isDirectory() ? await readRun(path, onProgress) : { kind: 'safetensors', file: path, images: readImageFile(path) };
  const { images: set, file } = loaded;
  const shape = (s: typeof like) => `${s.channels}x${s.height}x${s.width}`;
  if (shape(set) !== shape(like)) throw new DataError(`${file}: images are ${shape(set)}, the dataset's test images ${shape(like)}`);
  const bad = set.labels.findIndex((y) => !(y >= 0 && y < like.classes));
  if (bad >= 0) throw new DataError(`${file}: image ${bad} has label ${set.labels[bad]}, outside the dataset's classes 0..${like.classes - 1}`);
  return { ...loaded, images: { ...set, classes: like.classes } };
}

async function readRun(dir: string, onProgress?: (done: number, total: number) => void): Promise<LoadedImages> {
  const file = join(dir, RUN_FILES.hmn);
  if (!existsSync(file)) throw new DataError(`${file}: not found (is ${dir} a run directory of hmn condense?)`);
  const { hmn } = decodeHmn(bytesOf(file), file);
  try {
    const decoded = await decodeAll(hmn, { onProgress });
    const { channels, height, width } = hmn.config.image;
    return { kind: 'run', file, images: { images: decoded.images, labels: decoded.labels, count: decoded.count, channels, height, width, classes: hmn.config.classes } };
  } finally {
    hmn.dispose();
  }
}

function bytesOf(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** images F32 [N, C, H, W] on [0, 1] or U8 [N, C, H, W] (divided by 255), labels I32 [N]. */
export function readImageFile(file: string): FloatImages {
  const { tensors } = readSafetensors(bytesOf(file), file);
  const { images, labels } = tensors;
  const expected = "expected 'images' F32 or U8 [N, C, H, W] and 'labels' I32 [N], as hmn decode writes";
  if (!images || images.shape.length !== 4 || (images.dtype !== 'F32' && images.dtype !== 'U8')) {
    throw new DataError(`${file}: ${images ? `'images' is ${images.dtype} [${images.shape}]` : "no 'images' tensor"}; ${expected}`);
  }
  const [count, channels, height, width] = images.shape;
  if (!labels || labels.dtype !== 'I32' || labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new DataError(`${file}: ${labels ? `'labels' is ${labels.dtype} [${labels.shape}]` : "no 'labels' tensor"} beside images [${images.shape}]; ${expected}`);
  }
  if (count === 0) throw new DataError(`${file}: holds no images`);
  const floats = images.dtype === 'U8' ? Float32Array.from(images.data, (v) => v / 255) : (images.data as Float32Array);
  const nonFinite = floats.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0) throw new DataError(`${file}: pixel value ${floats[nonFinite]} at position ${nonFinite} is not a finite number`);
  const labelData = labels.data as Int32Array;
  return { images: floats, labels: labelData, count, channels, height, width, classes: labelData.reduce((m, y) => Math.max(m, y), 0) + 1 };
}

/** `perClass` random images of every class (seeded), in dataset order. */
export function randomPerClass(ds: ImageDataset, perClass: number, seed: number): ImageDataset {
  const rng = new E.Random(seed, 0x726970); // "rip": real images per class
  const picked = indicesByClass(ds.labels, ds.classes).flatMap((idx, c) => {
    if (idx.length < perClass) throw new DataError(`${ds.name}/${ds.split}: class ${c} (${ds.classNames[c]}) has ${idx.length} images, fewer than ${perClass}`);
    return Array.from(rng.permutation(idx.length).subarray(0, perClass), (k) => idx[k]);
  });
  return subset(ds, picked.sort((a, b) => a - b));
}
