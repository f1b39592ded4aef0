import { describe, expect, it } from 'vitest';
import { AumRecorder, logitMargins } from '../../src/prune/aum.js';
import { doubleEndSelect, prunePerClass } from '../../src/prune/select.js';
import { Hmn } from '../../src/hmn/model.js';
import { preset } from '../../src/hmn/presets.js';
import { decodeAll } from '../../src/hmn/decode-all.js';
import { expectThrows } from '../helpers/check.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

describe('AUM', () => {
  it('margins are the true logit minus the largest other, averaged over epochs', () => {
    // 3 images, 3 classes, two epochs of hand-built logits.
    const labels = Int32Array.from([0, 2, 1]);
    const epoch1 = Float32Array.from([
      3, 1, 2, // true 3, best other 2 -> 1
      5, 0, 1, // true 1, best other 5 -> -4
      -1, -2, -3, // true -2, best other -1 -> -1
    ]);
    const epoch2 = Float32Array.from([
      0, 4, -1, // 0 - 4 = -4
      0, 0, 7, // 7 - 0 = 7
      1, 1, 0, // tie with the true class -> 0
    ]);
    expect(Array.from(logitMargins(epoch1, labels, 3))).toEqual([1, -4, -1]);
    expect(Array.from(logitMargins(epoch2, labels, 3))).toEqual([-4, 7, 0]);
    const rec = new AumRecorder(3);
    rec.add(logitMargins(epoch1, labels, 3));
    rec.add(logitMargins(epoch2, labels, 3));
    expect(Array.from(rec.aum())).toEqual([-1.5, 1.5, -0.5]);
    expect(rec.epochs).toBe(2);
  });

  it('rejects mismatched sizes, bad labels and diverged margins', () => {
    expectThrows(() => logitMargins(new Float32Array(5), Int32Array.from([0, 1]), 3), /5 logits for 2 images of 3 classes/);
    expectThrows(() => logitMargins(new Float32Array(6), Int32Array.from([0, 3]), 3), /image 1 has label 3/);
    expectThrows(() => new AumRecorder(2).add(Float32Array.from([0, NaN])), /image 1 has margin NaN in epoch 1/);
    expectThrows(() => new AumRecorder(2).aum(), /no epoch recorded/);
  });
});

describe('double-end selection', () => {
  // Two classes of 6 images, interleaved; AUM = row number within its class, scrambled across rows.
  const classOf = Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  const aum = Float64Array.from([5, 0.5, 3, 2.5, 0, 5.5, 4, 1.5, 1, 3.5, 2, 4.5]);
  // class 0 rows by ascending AUM: 4 (0), 8 (1), 10 (2), 2 (3), 6 (4), 0 (5)
  // class 1 rows by ascending AUM: 1 (.5), 7 (1.5), 3 (2.5), 9 (3.5), 11 (4.5), 5 (5.5)
  const removed = (beta: number, k: number) => doubleEndSelect(aum, classOf, 2, k, beta).removed;

  it('beta = 0 removes only the easiest (highest AUM) k of every class', () => {
    expect(removed(0, 2)).toEqual([0, 5, 6, 11]);
  });
  it('beta = 1 removes only the hardest (lowest AUM) k of every class', () => {
    expect(removed(1, 2)).toEqual([1, 4, 7, 8]);
  });
  it('beta = 0.5 removes floor(k/2) hardest and the rest easiest', () => {
    expect(removed(0.5, 2)).toEqual([0, 1, 4, 5]);
    // k = 3: floor(1.5) = 1 hard, 2 easy per class
    const s = doubleEndSelect(aum, classOf, 2, 3, 0.5);
    expect(s.removed).toEqual([0, 1, 4, 5, 6, 11]);
    expect(s.perClass).toEqual([{ hard: 1, easy: 2 }, { hard: 1, easy: 2 }]);
  });
  it('keeps classes balanced and partitions the rows', () => {
    for (const beta of [0, 0.3, 0.5, 0.8, 1]) {
      const s = doubleEndSelect(aum, classOf, 2, 2, beta);
      expect([...s.kept, ...s.removed].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(s.kept.filter((r) => classOf[r] === 0).length).toBe(4);
      expect(s.kept.filter((r) => classOf[r] === 1).length).toBe(4);
    }
  });
  it('rejects impossible requests', () => {
    expectThrows(() => doubleEndSelect(aum, classOf, 2, 6, 0.5), /class 0 has 6 images, cannot remove 6/);
    expectThrows(() => doubleEndSelect(aum, classOf, 2, 1, 1.5), /beta must lie in \[0, 1\]/);
    expectThrows(() => doubleEndSelect(aum.subarray(1), classOf, 2, 1, 0), /11 scores for 12 images/);
  });
});

describe('pruning an over-budget HMN', () => {
  it('brings a +10% CIFAR-10 IPC 1 HMN within budget and decodes the kept images unchanged', async () => {
    const base = preset('cifar10', 1);
    const over = preset('cifar10', 1, 0.1);
    const k = prunePerClass(over.config, base.breakdown.budget);
    expect(k).toBeGreaterThan(0);
    // One fewer removal per class would not fit: k is the least that does.
    expect(prunePerClass({ ...over.config, imagesPerClass: over.config.imagesPerClass - k }, base.breakdown.budget)).toBe(0);
    expect(prunePerClass({ ...over.config, imagesPerClass: over.config.imagesPerClass - k + 1 }, base.breakdown.budget)).toBe(1);

    const hmn = Hmn.create(over.config, 7);
    const before = await decodeAll(hmn);
    const aum = Float64Array.from({ length: hmn.rows }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const s = doubleEndSelect(aum, hmn.instanceClass, 10, k, 0.5);
    hmn.keepRows(s.kept);
    expect(hmn.parameterCount()).toBeLessThanOrEqual(base.breakdown.budget);
    expect(hmn.config.imagesPerClass).toBe(over.config.imagesPerClass - k);
    expect(hmn.rows).toBe(10 * (over.config.imagesPerClass - k));
    const after = await decodeAll(hmn);
    const per = 3 * 32 * 32;
    s.kept.forEach((row, i) => {
      expect(after.labels[i]).toBe(before.labels[row]);
      const a = after.images.subarray(i * per, (i + 1) * per);
      const b = before.images.subarray(row * per, (row + 1) * per);
      expect(a.every((v, j) => v === b[j]), `kept image ${i} (row ${row}) decodes as before`).toBe(true);
    });
    hmn.dispose();
  });
});
