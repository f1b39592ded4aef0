// CutMix: the pasted batch equals a CPU reference of the box paste for a fixed draw, lambda is exactly the
// kept area fraction, the soft targets mix the two labels by lambda, and Beta draws have the right mean.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { mixedTargets, pasteBox, sampleBeta, sampleCutmixBox, type CutmixBox } from '../../src/evaluate/cutmix.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

/** Image i's pixels outside the box, image perm[i]'s inside (float64 CPU reference). */
function pasteReference(x: Float32Array, [n, c, h, w]: number[], box: CutmixBox, perm: Int32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const inside = y >= box.top && y < box.top + box.height && xx >= box.left && xx < box.left + box.width;
          const from = inside ? perm[i] : i;
          out[((i * c + ch) * h + y) * w + xx] = x[((from * c + ch) * h + y) * w + xx];
        }
      }
    }
  }
  return out;
}

it('the mixed batch equals the CPU box paste; lambda is the kept area fraction', async () => {
  const shape = [5, 3, 12, 10];
  const rng = new E.Random(7, 1);
  const x = rng.normal(shape.reduce((a, b) => a * b));
  let pasted = 0;
  for (let draw = 0; draw < 6; draw++) {
    const box = sampleCutmixBox(rng, 12, 10, 1);
    const perm = rng.permutation(5);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.top + box.height).toBeLessThanOrEqual(12);
    expect(box.left + box.width).toBeLessThanOrEqual(10);
    expect(box.lambda).toBe(1 - (box.height * box.width) / 120);
    const mixed = E.tidy(() => pasteBox(E.tensor(x, shape), box, perm));
    expect(Array.from(await mixed.floats())).toEqual(Array.from(pasteReference(x, shape, box, perm)));
    mixed.dispose();
    pasted += box.height * box.width > 0 ? 1 : 0;
  }
  expect(pasted).toBeGreaterThan(2); // the draws did paste something
});

it('a fixed box: exactly that region comes from the partner image', async () => {
  const box: CutmixBox = { top: 1, left: 2, height: 2, width: 3, lambda: 1 - 6 / 20 };
  const x = Float32Array.from({ length: 2 * 20 }, (_, i) => (i < 20 ? 0 : 1)); // image 0 all 0, image 1 all 1
  const mixed = E.tidy(() => pasteBox(E.tensor(x, [2, 1, 4, 5]), box, Int32Array.from([1, 0])));
  const v = await mixed.floats();
  mixed.dispose();
  const mask: number[] = Array.from({ length: 20 }, (_, p) => (Math.floor(p / 5) >= 1 && Math.floor(p / 5) < 3 && p % 5 >= 2 && p % 5 < 5 ? 1 : 0));
  expect(Array.from(v.subarray(0, 20))).toEqual(mask);
  expect(Array.from(v.subarray(20))).toEqual(mask.map((m) => 1 - m));
  expect(1 - mask.reduce((a, b) => a + b, 0) / 20).toBeCloseTo(box.lambda, 12);
});

it('soft targets put lambda on the own label and 1 - lambda on the partner\'s; CE matches the mixed loss', async () => {
  const labels = Int32Array.from([0, 2, 2, 1]);
  const perm = Int32Array.from([3, 0, 2, 1]);
  const t = mixedTargets(labels, perm, 3, 0.25);
  expect(Array.from(t)).toEqual([0.25, 0.75, 0, 0.75, 0, 0.25, 0, 0, 1, 0, 0.25, 0.75]);
  const logits = new E.Random(3).normal(12);
  const [soft, own, partner] = E.tidy(() => {
    const z = E.tensor(logits, [4, 3]);
    return [
      E.crossEntropy(z, E.tensor(t, [4, 3])),
      E.crossEntropy(z, E.tensor(labels, [4], 'i32')),
      E.crossEntropy(z, E.tensor(Int32Array.from(perm, (p) => labels[p]), [4], 'i32')),
    ];
  });
  expect(await soft.item()).toBeCloseTo(0.25 * (await own.item()) + 0.75 * (await partner.item()), 5);
  [soft, own, partner].forEach((l) => l.dispose());
});

it('Beta(a, a) draws have mean 1/2 and the right spread; lambda ~ U(0,1) for beta 1', () => {
  const rng = new E.Random(11, 2);
  for (const a of [0.5, 1, 4]) {
    const v = Array.from({ length: 4000 }, () => sampleBeta(rng, a, a));
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1 / (4 * (2 * a + 1)), 2); // Var of Beta(a, a)
    expect(v.every((x) => x >= 0 && x <= 1)).toBe(true);
  }
  expect(() => sampleBeta(rng, 0, 1)).toThrow(/must be > 0/);
});
