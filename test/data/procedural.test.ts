import { describe, expect, it } from 'vitest';
import { indicesByClass, toFloat, type ImageDataset } from '../../src/data/dataset.js';
import { makeProceduralDataset } from '../../src/data/procedural.js';

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Accuracy of the nearest class mean (raw pixels): a floor that a ConvNet should beat by far. */
function nearestMeanAccuracy(train: ImageDataset, test: ImageDataset): number {
  const size = 3 * train.height * train.width;
  const x = toFloat(train);
  const means = indicesByClass(train.labels, train.classes).map((idx) => {
    const m = new Float64Array(size);
    for (const i of idx) for (let p = 0; p < size; p++) m[p] += x[i * size + p] / idx.length;
    return m;
  });
  const t = toFloat(test);
  let right = 0;
  for (let i = 0; i < test.count; i++) {
    let best = -1, bestDistance = Infinity;
    means.forEach((m, c) => {
      let d = 0;
      for (let p = 0; p < size; p++) d += (t[i * size + p] - m[p]) ** 2;
      if (d < bestDistance) [best, bestDistance] = [c, d];
    });
    if (best === test.labels[i]) right++;
  }
  return right / test.count;
}

describe('procedural dataset', () => {
  it('is deterministic from the seed, with pinned output (the same in every JavaScript engine)', () => {
    const a = makeProceduralDataset({ perClass: 3, seed: 0 });
    expect(makeProceduralDataset({ perClass: 3, seed: 0 }).images).toEqual(a.images);
    // Pinned: only exact IEEE operations go into these bytes, so Node and browsers must agree.
    expect(fnv1a(a.images)).toBe(PINNED_TRAIN);
    expect(fnv1a(makeProceduralDataset({ perClass: 3, seed: 0, split: 'test' }).images)).toBe(PINNED_TEST);
    expect(fnv1a(makeProceduralDataset({ perClass: 3, seed: 1 }).images)).not.toBe(PINNED_TRAIN);
  });

  it('has interleaved balanced labels, named classes, and a larger perClass extends a smaller one', () => {
    const small = makeProceduralDataset({ perClass: 2, seed: 3 });
    const large = makeProceduralDataset({ perClass: 5, seed: 3 });
    expect(large.images.subarray(0, small.images.length)).toEqual(small.images);
    expect(Array.from(small.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(small.classNames).toEqual(['disc', 'square', 'triangle', 'ring', 'cross', 'diamond', 'bar', 'hexagon', 'crescent', 'two dots']);
    expect(new Set(makeProceduralDataset({ perClass: 1, classes: 25 }).classNames).size).toBe(25);
    const test = makeProceduralDataset({ perClass: 5, testPerClass: 2, seed: 3, split: 'test' });
    expect([test.count, test.split]).toEqual([20, 'test']);
    expect(test.images.subarray(0, 3072)).not.toEqual(large.images.subarray(0, 3072));
    const big = makeProceduralDataset({ perClass: 1, size: 64, classes: 3 });
    expect([big.height, big.width, big.images.length]).toEqual([64, 64, 3 * 3 * 64 * 64]);
    expect(() => makeProceduralDataset({ perClass: 0 })).toThrow('perClass must be a positive integer, got 0');
  });

  it('varies within a class, is learnable from pixels above chance but not trivially', () => {
    const train = makeProceduralDataset({ perClass: 100, seed: 11 });
    const test = makeProceduralDataset({ perClass: 100, testPerClass: 30, seed: 11, split: 'test' });
    // Two images of the same class differ a lot (position, rotation, colour, background).
    let diff = 0;
    for (let p = 0; p < 3072; p++) diff += Math.abs(train.images[p] - train.images[10 * 3072 + p]);
    expect(diff / 3072).toBeGreaterThan(20);
    const accuracy = nearestMeanAccuracy(train, test);
    expect(accuracy).toBeGreaterThan(0.2); // chance: 0.1
    expect(accuracy).toBeLessThan(0.8); // a template match does not solve it
  });

  it('generates 10 classes x 500 images of 32x32 fast', () => {
    makeProceduralDataset({ perClass: 20, seed: 1 }); // warm up the JIT
    const start = performance.now();
    const ds = makeProceduralDataset({ perClass: 500, seed: 2 });
    const ms = performance.now() - start;
    console.log(`procedural dataset: 10 x 500 images in ${ms.toFixed(0)} ms`);
    expect(ds.count).toBe(5000);
    expect(ms).toBeLessThan(2000); // ~300 ms on a busy 2-core machine; the bound leaves room for load
  });
});
const PINNED_TRAIN = 1909891212;
const PINNED_TEST = 268937322;
