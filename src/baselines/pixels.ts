// Baseline (b): the synthetic images stored as they are, one learnable float per pixel, as DC/DSA/IDC/DM
// keep them. A PixelSet is a SyntheticSet, so pixel-space gradient matching is the HMN's condenser and loss
// run over it: `new Condenser(PixelSet.fromReal(data, ipc, seed), data, PIXEL_GM_HYPER, seed)`.
// The pixels are on the [0, 1] scale and are not clamped while they are optimised (nor on export), as in
// DC/DM, whose synthetic images are evaluated unclamped.
import * as E from '../../engine/index.js';
import type { ImageDataset } from '../data/dataset.js';
import type { FloatImages } from '../io/image-set.js';
import { DEFAULT_HYPER, type CondenseHyper } from '../condense/condenser.js';
import type { ImageShape, SyntheticSet } from '../condense/synthetic-set.js';
import { randomReal } from './random-real.js';

/**
 * Pixel gradient matching: the condenser's defaults with Adam lr 0.01 on the [0, 1] scale. Adam moves every
 * pixel by about lr per step whatever the gradient's scale, so 0.01 (2.5 grey levels, about 0.04 of a
 * channel's std) lets an image change visibly within ~100 of the 10^4 default steps without one step
 * wrecking the real-image initialisation; the HMN's 0.005 is tuned for memories and decoder weights.
 */
export const PIXEL_GM_HYPER: CondenseHyper = { ...DEFAULT_HYPER, hmnLr: 0.01 };

export class PixelSet implements SyntheticSet {
  /** The stored images, a leaf [rows, C, H, W]. */
  readonly pixels: E.Tensor;
  /** Class of each row. */
  readonly labels: Int32Array;
  readonly classes: number;
  readonly image: ImageShape;
  /** Images per class (the same for every class, so the budget is exact). */
  readonly ipc: number;

  /** A set holding copies of the given images; every class must have the same number of images. */
  constructor(init: FloatImages) {
    const { count, channels, height, width, classes } = init;
    if (init.images.length !== count * channels * height * width) throw new Error(`PixelSet: ${init.images.length} values for ${count} images of ${channels}x${height}x${width}`);
    const perClass = new Array(classes).fill(0);
    init.labels.forEach((y) => {
      if (!(y >= 0 && y < classes)) throw new Error(`PixelSet: label ${y} is outside 0..${classes - 1}`);
      perClass[y]++;
    });
    if (!(perClass[0] > 0) || perClass.some((n) => n !== perClass[0])) throw new Error(`PixelSet: every class needs the same number of images (>= 1), got ${perClass.join(', ')}`);
    this.ipc = perClass[0];
    this.classes = classes;
    this.image = { channels, height, width };
    this.labels = Int32Array.from(init.labels);
    this.pixels = E.keep(E.requireGrad(E.tensor(init.images, [count, channels, height, width])));
  }

  /** `ipc` random real training images per class (seeded), bytes / 255: how DC/DM initialise. */
  static fromReal(data: ImageDataset, ipc: number, seed: number): PixelSet {
    return new PixelSet(randomReal(data, ipc, seed));
  }

  get rows(): number {
    return this.labels.length;
  }

  rowsOfClass(c: number): number[] {
    const out: number[] = [];
    this.labels.forEach((k, r) => k === c && out.push(r));
    return out;
  }

  decode(rows: ArrayLike<number>): E.Tensor {
    if (rows.length === 0) throw new Error('decode: no rows given');
    for (const r of Array.from(rows)) {
      if (!Number.isInteger(r) || r < 0 || r >= this.rows) throw new Error(`decode: row ${r} is out of range (the set has ${this.rows} images)`);
    }
    return E.gather(this.pixels, Int32Array.from(rows), 0);
  }

  parameters(): E.Tensor[] {
    return [this.pixels];
  }

  /** Stored floats: exactly ipc x classes x C x H x W. */
  parameterCount(): number {
    return this.pixels.size;
  }

  /** Host copy of the images (unclamped) and their labels. */
  async images(): Promise<FloatImages> {
    const { channels, height, width } = this.image;
    return { images: await this.pixels.floats(), labels: Int32Array.from(this.labels), count: this.rows, channels, height, width, classes: this.classes };
  }

  dispose(): void {
    this.pixels.dispose();
  }
}
