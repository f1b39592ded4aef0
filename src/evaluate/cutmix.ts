// CutMix (Yun et al. 2019) as the dataset-condensation literature uses it when evaluating condensed data
// (IDC, HMN): with some probability per batch, a random box of every image is replaced by the same box of
// another image of the batch (a random permutation), and the loss mixes the two labels by the area kept.
//   lambda ~ Beta(beta, beta); the box has sides sqrt(1 - lambda) x (H, W), centred at a uniform pixel and
//   clipped to the image; lambda is then recomputed from the clipped box: 1 - box area / (H W).
import * as E from '../../engine/index.js';

export interface CutmixBox {
  top: number;
  left: number;
  /** Rows and columns of the box after clipping (either may be 0: then nothing is pasted). */
  height: number;
  width: number;
  /** Weight of each image's own label: 1 - box area / image area. */
  lambda: number;
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the U^(1/a) boost for shape < 1. */
function sampleGamma(rng: E.Random, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(rng.uniform(1)[0] || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal(1)[0];
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng.uniform(1)[0];
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: E.Random, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new Error(`sampleBeta: parameters must be > 0, got ${a}, ${b}`);
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x + y > 0 ? x / (x + y) : 0.5;
}

/** A CutMix box for images of height x width, drawn from rng (lambda recomputed from the clipped box). */
export function sampleCutmixBox(rng: E.Random, height: number, width: number, beta: number): CutmixBox {
  const drawn = sampleBeta(rng, beta, beta);
  const ratio = Math.sqrt(1 - drawn);
  const cutH = Math.floor(height * ratio);
  const cutW = Math.floor(width * ratio);
  const [cy, cx] = [rng.integers(1, 0, height)[0], rng.integers(1, 0, width)[0]];
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const top = clip(cy - Math.floor(cutH / 2), height);
  const bottom = clip(cy + Math.floor(cutH / 2), height);
  const left = clip(cx - Math.floor(cutW / 2), width);
  const right = clip(cx + Math.floor(cutW / 2), width);
  const box = { top, left, height: bottom - top, width: right - left };
  return { ...box, lambda: 1 - (box.height * box.width) / (height * width) };
}

/** A [1, 1, H, W] 0/1 mask with ones inside the box (`inside`) or outside it. */
function boxMask(box: CutmixBox, height: number, width: number, inside: boolean): E.Tensor {
  const m = new Float32Array(height * width).fill(inside ? 0 : 1);
  for (let y = box.top; y < box.top + box.height; y++) m.fill(inside ? 1 : 0, y * width + box.left, y * width + box.left + box.width);
  return E.tensor(m, [1, 1, height, width]);
}

/**
 * The mixed batch: image i keeps its pixels outside the box and takes image perm[i]'s inside it.
 * x * outside + x[perm] * inside is exact (one of the two products is x * 0 = 0), unlike x + m (x[perm] - x).
 */
export function pasteBox(x: E.Tensor, box: CutmixBox, perm: Int32Array | number[]): E.Tensor {
  const [, , h, w] = x.shape;
  return E.add(E.mul(x, boxMask(box, h, w, false)), E.mul(E.gather(x, perm, 0), boxMask(box, h, w, true)));
}

/** Soft targets [N, classes]: lambda on each image's label plus (1 - lambda) on its partner's, so that
 * crossEntropy(logits, targets) = lambda CE(y) + (1 - lambda) CE(y[perm]). */
export function mixedTargets(labels: Int32Array, perm: ArrayLike<number>, classes: number, lambda: number): Float32Array {
  const t = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => {
    t[i * classes + y] += lambda;
    t[i * classes + labels[perm[i]]] += 1 - lambda;
  });
  return t;
}
