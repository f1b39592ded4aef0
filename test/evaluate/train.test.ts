// The evaluator's training and testing: a small real subset of the built-in procedural dataset trains a
// ConvNet far above chance; the same seed gives the same logits and a different seed different ones; GPU
// memory stays flat over epochs and runs; bad input is refused with a message saying what is wrong.
import { beforeAll, describe, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { loadDataset } from '../../src/data/registry.js';
import { channelStats, type ChannelStats } from '../../src/data/dataset.js';
import { evaluateImages } from '../../src/evaluate/evaluate.js';
import { accuracy, DEFAULT_TRAIN, floatImages, predictLogits, trainClassifier, type FloatImages, type TrainOptions } from '../../src/evaluate/train.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

let train: FloatImages;
let test: FloatImages;
let stats: ChannelStats;

beforeAll(async () => {
  // 20 training and 30 test images per class of the built-in dataset (10 classes, 32x32).
  const options = { perClass: 20, testPerClass: 30 };
  const trainSet = await loadDataset('builtin', { ...options, split: 'train' });
  train = floatImages(trainSet);
  test = floatImages(await loadDataset('builtin', { ...options, split: 'test' }));
  stats = channelStats(trainSet);
});

/** Small and quick: width 16, batch 32, the default augmentation and CutMix. */
const SMALL: TrainOptions = { ...DEFAULT_TRAIN, epochs: 30, batchSize: 32, width: 16 };

describe('trainClassifier / evaluateImages', () => {
  it('200 real images: test accuracy far above chance (10 %)', async () => {
    const messages: string[] = [];
    const result = await evaluateImages(train, { test, validation: test, stats }, SMALL, 1, (m) => messages.push(m));
    console.log(messages.join('\n'));
    expect(result.test.runs).toHaveLength(1);
    expect(result.test.mean).toBeGreaterThan(0.3);
    expect(result.validation!.mean).toBe(result.test.mean); // same images, same network
    expect(result.test.std).toBe(0);
    expect(messages[0]).toMatch(/^run 1\/1 \(seed 0\): test \d+\.\d %, validation \d+\.\d % \(\d+\.\d s\)$/);
  }, 120_000);

  it('the same seed gives the same logits; another seed different ones', async () => {
    const few: TrainOptions = { ...SMALL, epochs: 2, width: 8, seed: 5 };
    const logitsOf = async (opts: TrainOptions) => {
      const net = await trainClassifier(train, stats, opts);
      const logits = await predictLogits(net, test, stats, 64);
      net.dispose();
      return logits;
    };
    const a = await logitsOf(few);
    const b = await logitsOf(few);
    const c = await logitsOf({ ...few, seed: 6 });
    expect(a).toHaveLength(test.count * 10);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  }, 60_000);

  it('GPU memory: flat over epochs, and a second run leaves the pool where the first did', async () => {
    const opts: TrainOptions = { ...SMALL, epochs: 3, width: 8 };
    const before = E.memory().liveBytes;
    const perEpoch: number[] = [];
    const losses: number[] = [];
    const run = async () => {
      const net = await trainClassifier(train, stats, opts, {
        onEpochEnd: (_epoch, _net, loss) => {
          perEpoch.push(E.memory().liveBytes);
          losses.push(loss);
        },
      });
      await accuracy(net, test, stats);
      net.dispose();
      await E.sync();
      return E.memory().liveBytes;
    };
    const afterFirst = await run();
    const afterSecond = await run();
    expect(afterFirst).toBe(before);
    expect(afterSecond).toBe(afterFirst);
    expect(new Set(perEpoch).size).toBe(1); // the same live bytes at every epoch's end
    expect(losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
  }, 60_000);

  it('logits and accuracy agree: accuracy is the fraction of rows whose largest logit is the label', async () => {
    const net = await trainClassifier(train, stats, { ...SMALL, epochs: 1, width: 8 });
    const logits = await predictLogits(net, test, stats, 37); // a batch that does not divide the count
    const same = await predictLogits(net, test, stats, 300);
    // Batches under 8 images take another GEMM path here: equal up to rounding.
    expect(Math.max(...Array.from(same, (v, i) => Math.abs(v - logits[i])))).toBeLessThan(1e-5);
    let right = 0;
    for (let i = 0; i < test.count; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      right += row.indexOf(Math.max(...row)) === test.labels[i] ? 1 : 0;
    }
    expect(await accuracy(net, test, stats)).toBe(right / test.count);
    net.dispose();
  }, 60_000);
});

describe('bad input', () => {
  const opts: TrainOptions = { ...SMALL, epochs: 1, width: 8 };
  const withLabels = (labels: number[]): FloatImages => ({ ...train, count: labels.length, labels: Int32Array.from(labels), images: train.images.subarray(0, labels.length * 3 * 32 * 32) });

  it('empty set, labels out of range, non-finite pixels, shapes that differ from the test set', async () => {
    const live = E.memory().liveBytes;
    await expect(trainClassifier(withLabels([]), stats, opts)).rejects.toThrow('training images: no images');
    await expect(trainClassifier(withLabels([0, 10]), stats, opts)).rejects.toThrow('training images: image 1 has label 10, outside 0..9');
    await expect(trainClassifier(withLabels([-1]), stats, opts)).rejects.toThrow('image 0 has label -1');
    const nan = { ...withLabels([0, 1]), images: Float32Array.from(train.images.subarray(0, 2 * 3072), (v, i) => (i === 5 ? NaN : v)) };
    await expect(trainClassifier(nan, stats, opts)).rejects.toThrow('training images: pixel value NaN (image 0) is not a finite number');
    const grey: FloatImages = { ...withLabels([0, 1]), channels: 1, images: train.images.subarray(0, 2 * 1024) };
    await expect(evaluateImages(grey, { test, stats }, opts, 1)).rejects.toThrow('training images are 1x32x32, the test images 3x32x32');
    await expect(evaluateImages(train, { test: { ...test, classes: 100 }, stats }, opts, 1)).rejects.toThrow('training images have 10 classes, the test set 100');
    await expect(evaluateImages(train, { test, stats }, opts, 0)).rejects.toThrow('runs must be a whole number >= 1, got 0');
    await expect(trainClassifier(train, stats, { ...opts, epochs: 0 })).rejects.toThrow('epochs must be a whole number >= 1, got 0');
    expect(E.memory().liveBytes).toBe(live);
  });

  it('a diverging loss names the epoch and suggests a lower learning rate', async () => {
    const live = E.memory().liveBytes;
    await expect(trainClassifier(train, stats, { ...opts, epochs: 3, lr: 1e30, cutmix: null })).rejects.toThrow(
      /training diverged: the mean loss of epoch \d of 3 is (NaN|Infinity); try a lower learning rate than 1e\+30/,
    );
    await E.sync();
    expect(E.memory().liveBytes).toBe(live); // the failed run's network was freed
  });
});
