// The in-memory dataset every loader returns, and the helpers the toolkit needs on top of it.
import { Prng } from './random.js';

export interface ImageDataset {
  /** 'cifar10', 'cifar100', 'svhn', 'tinyimagenet', 'builtin', ... */
  name: string;
  /** 'train', 'test', 'validation', ... */
  split: string;
  /** count x channels x height x width, uint8 (NCHW). */
  images: Uint8Array;
  /** count class indices in [0, classes). */
  labels: Int32Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  classes: number;
  classNames: string[];
}

/** The pixel arrays alone (what toFloat and channelStats read). */
export type ImagePixels = Pick<ImageDataset, 'images' | 'count' | 'channels' | 'height' | 'width'>;

export function imageSize(ds: Pick<ImageDataset, 'channels' | 'height' | 'width'>): number {
  return ds.channels * ds.height * ds.width;
}

/** Throws if the arrays and the declared sizes disagree (a loader bug or a hand-made dataset's mistake). */
export function checkDataset(ds: ImageDataset): ImageDataset {
  const where = `dataset ${ds.name}/${ds.split}`;
  if (ds.images.length !== ds.count * imageSize(ds)) throw new Error(`${where}: ${ds.images.length} pixel values for ${ds.count} images of ${ds.channels}x${ds.height}x${ds.width}`);
  if (ds.labels.length !== ds.count) throw new Error(`${where}: ${ds.labels.length} labels for ${ds.count} images`);
  if (ds.classNames.length !== ds.classes) throw new Error(`${where}: ${ds.classNames.length} class names for ${ds.classes} classes`);
  const bad = ds.labels.findIndex((y) => y < 0 || y >= ds.classes);
  if (bad >= 0) throw new Error(`${where}: image ${bad} has label ${ds.labels[bad]}, outside 0..${ds.classes - 1}`);
  return ds;
}

/** Pixel values scaled to [0, 1] (or normalised per channel with `stats`), for all images or the given ones. */
export function toFloat(ds: ImagePixels, indices?: ArrayLike<number>, stats?: ChannelStats): Float32Array {
  const size = imageSize(ds);
  const plane = ds.height * ds.width;
  const n = indices ? indices.length : ds.count;
  const out = new Float32Array(n * size);
  // Per channel: value = pixel * scale + shift.
  const scale = Array.from({ length: ds.channels }, (_, c) => (stats ? 1 / (255 * stats.std[c]) : 1 / 255));
  const shift = Array.from({ length: ds.channels }, (_, c) => (stats ? -stats.mean[c] / stats.std[c] : 0));
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    if (!(i >= 0 && i < ds.count)) throw new Error(`toFloat: index ${i} is outside 0..${ds.count - 1}`);
    for (let c = 0; c < ds.channels; c++) {
      const src = i * size + c * plane;
      const dst = k * size + c * plane;
      for (let p = 0; p < plane; p++) out[dst + p] = ds.images[src + p] * scale[c] + shift[c];
    }
  }
  return out;
}

/** For each class, the indices of its images, in dataset order. */
export function indicesByClass(labels: Int32Array, classes: number): number[][] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((y, i) => {
    if (y < 0 || y >= classes) throw new Error(`indicesByClass: image ${i} has label ${y}, outside 0..${classes - 1}`);
    byClass[y].push(i);
  });
  return byClass;
}

/** A new dataset of the given images (copied), in the given order. */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, split = ds.split): ImageDataset {
  const size = imageSize(ds);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < ds.count)) throw new Error(`subset: index ${i} is outside 0..${ds.count - 1}`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, split, images, labels, count: indices.length };
}

/** The first `perClass` images of every class (fewer where a class has fewer), in dataset order. */
export function firstPerClass(ds: ImageDataset, perClass: number): ImageDataset {
  const keep = indicesByClass(ds.labels, ds.classes).flatMap((idx) => idx.slice(0, perClass));
  return subset(ds, keep.sort((a, b) => a - b));
}

export type ValidationSize = { perClass: number } | { count: number };

/**
 * Holds out a validation set from a training set: `perClass` random images of every class, or `count`
 * random images overall. Deterministic from the seed; both parts keep the original order.
 */
export function splitValidation(ds: ImageDataset, size: ValidationSize, seed: number): { train: ImageDataset; validation: ImageDataset } {
  const rng = new Prng(seed, 0x76616c);
  const held = new Uint8Array(ds.count);
  if ('perClass' in size) {
    const byClass = indicesByClass(ds.labels, ds.classes);
    byClass.forEach((idx, c) => {
      if (size.perClass > idx.length) throw new Error(`splitValidation: class ${c} (${ds.classNames[c]}) has ${idx.length} images, fewer than ${size.perClass} to hold out`);
      for (const i of rng.shuffle(idx).slice(0, size.perClass)) held[i] = 1;
    });
  } else {
    if (size.count > ds.count) throw new Error(`splitValidation: cannot hold out ${size.count} of ${ds.count} images`);
    const all = Array.from({ length: ds.count }, (_, i) => i);
    for (const i of rng.shuffle(all).slice(0, size.count)) held[i] = 1;
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  held.forEach((h, i) => (h ? valIdx : trainIdx).push(i));
  return { train: subset(ds, trainIdx), validation: subset(ds, valIdx, 'validation') };
}

export interface ChannelStats {
  /** Per channel, of pixel values scaled to [0, 1]. */
  mean: number[];
  std: number[];
}

/**
 * A constant channel would divide by zero: the normalisers (the condenser's and the evaluator's) take its
 * std as at least this, in [0, 1] units.
 */
export const MIN_CHANNEL_STD = 1e-6;

/** Mean and (population) standard deviation per channel, from a histogram of the byte values: exact. */
export function channelStats(ds: ImagePixels): ChannelStats {
  const plane = ds.height * ds.width;
  const size = imageSize(ds);
  const histograms = Array.from({ length: ds.channels }, () => new Float64Array(256));
  for (let i = 0; i < ds.count; i++) {
    for (let c = 0; c < ds.channels; c++) {
      const h = histograms[c];
      const start = i * size + c * plane;
      for (let p = start; p < start + plane; p++) h[ds.images[p]]++;
    }
  }
  const n = ds.count * plane;
  const mean: number[] = [];
  const std: number[] = [];
  for (const h of histograms) {
    let sum = 0;
    for (let v = 0; v < 256; v++) sum += h[v] * v;
    const m = sum / n;
    let sq = 0;
    for (let v = 0; v < 256; v++) sq += h[v] * (v - m) * (v - m);
    mean.push(m / 255);
    std.push(Math.sqrt(sq / n) / 255);
  }
  return { mean, std };
}
