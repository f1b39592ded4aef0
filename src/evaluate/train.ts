// Training a fresh ConvNet on a set of images (condensed, decoded, or a real subset) and testing it: the
// evaluation protocol of the dataset-condensation literature. Every step: a shuffled batch, normalised with
// the REAL training set's channel statistics, DSA augmentation with fresh parameters, CutMix with some
// probability, cross-entropy, SGD with momentum and weight decay under a per-step cosine schedule.
// All randomness comes from Random streams of opts.seed, so the same seed gives the same network.
import * as E from '../../engine/index.js';
import { applyAugment, sampleAugment, type Augmentation } from '../condense/augment.js';
import { MIN_CHANNEL_STD, type ChannelStats, type ImageDataset } from '../data/dataset.js';
import type { FloatImages } from '../io/image-set.js';
import { mixedTargets, pasteBox, sampleCutmixBox } from './cutmix.js';

export type { FloatImages };

/** A loader's byte images as floats: bytes / 255. */
export function floatImages(ds: ImageDataset): FloatImages {
  const { labels, count, channels, height, width, classes } = ds;
  return { images: Float32Array.from(ds.images, (v) => v / 255), labels, count, channels, height, width, classes };
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  width: number;
  /** ConvNet depth; default 3 for images under 64 px (ConvNet-3), 4 for 64 px (ConvNet-4). */
  depth?: number;
  /** DSA ops from src/condense/augment.ts, with fresh parameters per batch (applied in that module's order). */
  augment: Augmentation[];
  cutmix: { prob: number; beta: number } | null;
  seed: number;
}

/**
 * The literature's evaluation settings (DC/DSA/IDC): 300 epochs, batch 64 (the whole set when it has fewer
 * images), SGD lr 0.01, momentum 0.9, weight decay 5e-4, cosine schedule, ConvNet width 128, DSA colour,
 * crop, flip, scale and rotate (callers drop flip for SVHN: digits are not mirror-symmetric), CutMix with
 * probability 0.5 and beta 1, seed 0.
 */
export const DEFAULT_TRAIN: TrainOptions = {
  epochs: 300,
  batchSize: 64,
  lr: 0.01,
  momentum: 0.9,
  weightDecay: 5e-4,
  width: 128,
  augment: ['color', 'crop', 'flip', 'scale', 'rotate'],
  cutmix: { prob: 0.5, beta: 1 },
  seed: 0,
};

export interface TrainHooks {
  /** Called after every epoch (0-based index) with the network as it is then (e.g. to record per-image logit margins for AUM). */
  onEpochEnd?: (epoch: number, net: E.ConvNet, meanLoss: number) => Promise<void> | void;
  /** Steps done of all steps. */
  onProgress?: (done: number, total: number) => void;
}

/** Random streams of a training run (any distinct numbers). */
const STREAM = { shuffle: 1, augment: 2, cutmix: 3 } as const;

/** Depth by image size: ConvNet-3 below 64 px, ConvNet-4 at 64 px and above. */
export function defaultDepth(imageSize: number): number {
  return imageSize >= 64 ? 4 : 3;
}

/** Throws unless the set is non-empty, square, consistently sized and labelled within 0..classes-1. */
export function checkImages(set: FloatImages, what: string): void {
  const { count, channels, height, width, classes } = set;
  if (!(count > 0)) throw new Error(`${what}: no images`);
  if (height !== width) throw new Error(`${what}: images are ${height}x${width}; the ConvNet needs square images`);
  if (set.images.length !== count * channels * height * width) throw new Error(`${what}: ${set.images.length} pixel values for ${count} images of ${channels}x${height}x${width}`);
  if (set.labels.length !== count) throw new Error(`${what}: ${set.labels.length} labels for ${count} images`);
  const bad = set.labels.findIndex((y) => !(y >= 0 && y < classes));
  if (bad >= 0) throw new Error(`${what}: image ${bad} has label ${set.labels[bad]}, outside 0..${classes - 1}`);
  const nonFinite = set.images.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0) throw new Error(`${what}: pixel value ${set.images[nonFinite]} (image ${Math.floor(nonFinite / (channels * height * width))}) is not a finite number`);
}

function checkOptions(o: TrainOptions): void {
  const whole = (name: string, v: number | undefined) => {
    if (!(Number.isInteger(v) && (v as number) >= 1)) throw new Error(`train: ${name} must be a whole number >= 1, got ${v}`);
  };
  whole('epochs', o.epochs);
  whole('batch size', o.batchSize);
  whole('width', o.width);
  if (o.depth !== undefined) whole('depth', o.depth);
  if (!(o.lr > 0)) throw new Error(`train: learning rate must be > 0, got ${o.lr}`);
  if (o.cutmix && !(o.cutmix.prob >= 0 && o.cutmix.prob <= 1 && o.cutmix.beta > 0)) {
    throw new Error(`train: CutMix needs a probability in [0, 1] and beta > 0, got ${o.cutmix.prob} and ${o.cutmix.beta}`);
  }
}

/** Normalises batches on the host: (pixel - mean) / std per channel. */
class Normaliser {
  private readonly scale: number[];
  private readonly shift: number[];

  constructor(stats: ChannelStats, channels: number) {
    if (stats.mean.length !== channels || stats.std.length !== channels) throw new Error(`normalisation statistics have ${stats.mean.length} channels, the images ${channels}`);
    this.scale = stats.std.map((s) => 1 / Math.max(s, MIN_CHANNEL_STD));
    this.shift = stats.mean.map((m, c) => -m * this.scale[c]);
  }

  /** The images at `indices`, normalised, as an [n, C, H, W] tensor. */
  batch(set: FloatImages, indices: ArrayLike<number>): E.Tensor {
    const { channels: c, height: h, width: w } = set;
    const plane = h * w;
    const size = c * plane;
    const out = new Float32Array(indices.length * size);
    for (let k = 0; k < indices.length; k++) {
      const src = indices[k] * size;
      for (let ch = 0; ch < c; ch++) {
        const [a, b] = [this.scale[ch], this.shift[ch]];
        const from = src + ch * plane;
        const to = k * size + ch * plane;
        for (let p = 0; p < plane; p++) out[to + p] = set.images[from + p] * a + b;
      }
    }
    return E.tensor(out, [indices.length, c, h, w]);
  }
}

/**
 * SGD momentum + weight decay with a cosine schedule (per step, engine/optim/schedules.ts cosineLR) over
 * epochs; images normalised per channel with `stats` (the REAL training set's ChannelStats). Returns the
 * trained net (caller disposes).
 */
export async function trainClassifier(train: FloatImages, stats: ChannelStats, opts: TrainOptions, hooks: TrainHooks = {}): Promise<E.ConvNet> {
  checkImages(train, 'training images');
  checkOptions(opts);
  const { count, channels, height, width, classes } = train;
  const norm = new Normaliser(stats, channels);
  const depth = opts.depth ?? defaultDepth(height);
  const net = new E.ConvNet({ inChannels: channels, classes, width: opts.width, depth, imageSize: height, seed: opts.seed });
  const sgd = new E.SGD(net.parameters(), { lr: opts.lr, momentum: opts.momentum, weightDecay: opts.weightDecay });
  const shuffleRng = new E.Random(opts.seed, STREAM.shuffle);
  const augmentRng = new E.Random(opts.seed, STREAM.augment);
  const cutmixRng = new E.Random(opts.seed, STREAM.cutmix);
  const batch = Math.min(opts.batchSize, count);
  const perEpoch = Math.ceil(count / batch);
  const total = opts.epochs * perEpoch;
  /** One SGD step on a batch; returns lossSum + this batch's loss (detached). */
  const step = (x: E.Tensor, labels: Int32Array, lossSum: E.Tensor): E.Tensor => {
    const b = labels.length;
    let input = x;
    if (opts.augment.length > 0) input = applyAugment(input, opts.augment, sampleAugment(augmentRng, b, height, width));
    let target: E.Tensor;
    // Drawn every step whether or not CutMix is on, so the stream's position depends on the step alone.
    const mix = opts.cutmix !== null && cutmixRng.uniform(1)[0] < opts.cutmix.prob;
    if (mix) {
      const box = sampleCutmixBox(cutmixRng, height, width, opts.cutmix!.beta);
      const perm = cutmixRng.permutation(b);
      input = pasteBox(input, box, perm);
      target = E.tensor(mixedTargets(labels, perm, classes, box.lambda), [b, classes]);
    } else {
      target = E.tensor(labels, [b], 'i32');
    }
    const loss = E.crossEntropy(net.forward(input), target);
    E.backward(loss);
    sgd.step();
    return E.noGrad(() => E.add(lossSum, loss));
  };

  let lossSum: E.Tensor | null = null; // this epoch's summed batch losses, kept on the GPU (one read per epoch)
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = shuffleRng.permutation(count);
      lossSum = E.keep(E.zeros([]));
      for (let s = 0; s < perEpoch; s++) {
        const idx = order.subarray(s * batch, Math.min(count, (s + 1) * batch));
        sgd.lr = E.cosineLR(opts.lr, epoch * perEpoch + s, total);
        const previous: E.Tensor = lossSum;
        lossSum = E.keep(E.tidy(() => step(norm.batch(train, idx), Int32Array.from(idx, (i) => train.labels[i]), previous)));
        previous.dispose();
        sgd.zeroGrad();
        hooks.onProgress?.(epoch * perEpoch + s + 1, total);
      }
      const meanLoss = (await lossSum.item()) / perEpoch;
      lossSum.dispose();
      lossSum = null;
      if (!Number.isFinite(meanLoss)) {
        throw new Error(`training diverged: the mean loss of epoch ${epoch + 1} of ${opts.epochs} is ${meanLoss}; try a lower learning rate than ${opts.lr}`);
      }
      await hooks.onEpochEnd?.(epoch, net, meanLoss);
    }
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    lossSum?.dispose();
    sgd.dispose();
  }
}

/** Images per forward batch when testing: the first layer's activations stay under 16 M floats (64 MiB;
 * lavapipe binds at most 128 MiB), and at most 256. */
export function defaultEvalBatch(net: E.ConvNet): number {
  return Math.max(1, Math.min(256, Math.floor(2 ** 24 / (net.width * net.imageSize * net.imageSize))));
}

/** Logits [count * classes] (host) of un-augmented images, in batches. */
export async function predictLogits(net: E.ConvNet, images: FloatImages, stats: ChannelStats, batch = defaultEvalBatch(net)): Promise<Float32Array> {
  const { count, channels, height, width } = images;
  if (channels !== net.inChannels || height !== net.imageSize || width !== net.imageSize) {
    throw new Error(`the network takes ${net.inChannels}x${net.imageSize}x${net.imageSize} images, these are ${channels}x${height}x${width}`);
  }
  if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`predictLogits: batch must be a whole number >= 1, got ${batch}`);
  const norm = new Normaliser(stats, channels);
  const out = new Float32Array(count * net.classes);
  for (let start = 0; start < count; start += batch) {
    const idx = Array.from({ length: Math.min(batch, count - start) }, (_, k) => start + k);
    const logits = E.noGrad(() => E.tidy(() => net.forward(norm.batch(images, idx))));
    out.set(await logits.floats(), start * net.classes);
    logits.dispose();
  }
  return out;
}

/** Index of the largest logit of each row (the first when tied). */
export function argmaxRows(logits: Float32Array, classes: number): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction in [0, 1] of the set's images whose largest logit is their label. */
export async function accuracy(net: E.ConvNet, set: FloatImages, stats: ChannelStats, batch?: number): Promise<number> {
  checkImages(set, 'test images');
  if (set.classes !== net.classes) throw new Error(`the network has ${net.classes} classes, the test images ${set.classes}`);
  const predicted = argmaxRows(await predictLogits(net, set, stats, batch), net.classes);
  let right = 0;
  predicted.forEach((p, i) => (right += p === set.labels[i] ? 1 : 0));
  return right / set.count;
}
