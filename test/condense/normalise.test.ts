// The condenser's per-channel normaliser: statistics from the bytes, a constant channel floored at
// MIN_CHANNEL_STD instead of dividing by zero, and the same mapping for real bytes and [0, 1] floats.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { PixelNormaliser } from '../../src/condense/normalise.js';
import { MIN_CHANNEL_STD } from '../../src/data/dataset.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

it('normalises real bytes and [0, 1] floats alike, and floors a constant channel std', async () => {
  // 2 images x 2 channels x 2x2: channel 0 is constant, channel 1 varies.
  const bytes = [128, 128, 128, 128, 0, 51, 102, 255, 128, 128, 128, 128, 10, 20, 30, 40];
  const data = { images: Uint8Array.from(bytes), count: 2, channels: 2, height: 2, width: 2 };
  const norm = new PixelNormaliser(data);
  const channel1 = [0, 51, 102, 255, 10, 20, 30, 40].map((v) => v / 255);
  const mean1 = channel1.reduce((a, b) => a + b, 0) / channel1.length;
  const std1 = Math.sqrt(channel1.reduce((a, v) => a + (v - mean1) ** 2, 0) / channel1.length);
  expect(norm.stats.mean[0]).toBeCloseTo(128 / 255, 6);
  expect(norm.stats.std[0]).toBe(MIN_CHANNEL_STD);
  expect(norm.stats.mean[1]).toBeCloseTo(mean1, 6);
  expect(norm.stats.std[1]).toBeCloseTo(std1, 6);

  const expected = bytes.slice(0, 8).map((v, i) => {
    const c = Math.floor(i / 4);
    return (v / 255 - norm.stats.mean[c]) / norm.stats.std[c];
  });
  const fromBytes = norm.real([0]);
  const fromFloats = E.tidy(() => norm.apply(E.tensor(Float32Array.from(bytes.slice(0, 8), (v) => v / 255), [1, 2, 2, 2])));
  for (const t of [fromBytes, fromFloats]) {
    const got = Array.from(await t.floats());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    t.dispose();
  }
  norm.dispose();
});
