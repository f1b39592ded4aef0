// What `hmn evaluate` trains on (Node only: reads files): a condense run directory (its HMN decoded in
// full), a safetensors file of images + labels (what `hmn decode` writes), or random real training images.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHmn } from '../condense/checkpoint.js';
import { decodeAll } from '../hmn/decode-all.js';
import { DataError } from '../io/errors.js';
import { readImageSet, type FloatImages } from '../io/image-set.js';
import { RUN_FILES } from '../node/run-dir.js';

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

/** An image-set safetensors file (what hmn decode and hmn baseline write). */
export function readImageFile(file: string): FloatImages {
  return readImageSet(bytesOf(file), file).images;
}
