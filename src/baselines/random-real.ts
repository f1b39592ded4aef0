// Baseline (a): IPC real training images per class, drawn at random (seeded). Also how the pixel baselines
// initialise their images, as DC/DSA/DM do.
import { indicesByClass, toFloat, type ImageDataset } from '../data/dataset.js';
import { Prng } from '../data/random.js';
import type { FloatImages } from '../io/image-set.js';

/** The random stream the choice draws from (any fixed number; "real" in ASCII). */
const STREAM = 0x7265616c;

/** For every class, `ipc` distinct dataset indices of that class, in the order drawn (class 0's first). */
export function pickRealIndices(data: Pick<ImageDataset, 'labels' | 'classes' | 'classNames'>, ipc: number, seed: number): number[] {
  if (!(Number.isInteger(ipc) && ipc >= 1)) throw new Error(`randomReal: images per class must be a whole number >= 1, got ${ipc}`);
  const rng = new Prng(seed, STREAM);
  return indicesByClass(data.labels, data.classes).flatMap((idx, c) => {
    if (idx.length < ipc) throw new Error(`randomReal: class ${c} (${data.classNames[c] ?? c}) has ${idx.length} images, fewer than ${ipc} per class`);
    return (rng.shuffle([...idx]) as number[]).slice(0, ipc);
  });
}

/** `ipc` distinct random real images of every class, as floats on the [0, 1] scale, grouped by class. */
export function randomReal(data: ImageDataset, ipc: number, seed: number): FloatImages {
  const picked = pickRealIndices(data, ipc, seed);
  const { channels, height, width, classes } = data;
  return { images: toFloat(data, picked), labels: Int32Array.from(picked, (i) => data.labels[i]), count: picked.length, channels, height, width, classes };
}
