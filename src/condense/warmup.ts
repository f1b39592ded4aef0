// A warm start for generated images: before gradient matching, fit every synthetic image to a random real
// image of its class (mean squared error on the [0, 1] scale, Adam of its own). A freshly initialised HMN
// decodes to an almost uniform grey, while the pixel baselines start from real images; on a short
// condensation budget the HMN would spend most of it just reaching image-like outputs. The paper's protocol
// has no such stage (its 1000-iteration budget makes it unnecessary), so it is off by default.
import * as E from '../../engine/index.js';
import { indicesByClass, toFloat } from '../data/dataset.js';
import type { LabelledImages } from './condenser.js';
import type { SyntheticSet } from './synthetic-set.js';

export interface WarmupOptions {
  steps: number;
  lr: number;
  seed: number;
  /** Images fitted per step, drawn at random each step when the set has more (bounds memory). */
  batch?: number;
}

/** The Random stream the target choice and batches draw from ("warm" in ASCII). */
const STREAM = 0x7761726d;

/** Fits the set's images to real ones in place; returns the mean squared error before each step. */
export async function warmUpFromReal(set: SyntheticSet, data: LabelledImages, opts: WarmupOptions): Promise<number[]> {
  if (!(Number.isInteger(opts.steps) && opts.steps >= 0)) throw new Error(`warm-up: steps must be a whole number >= 0, got ${opts.steps}`);
  if (!(opts.lr > 0)) throw new Error(`warm-up: the learning rate must be > 0, got ${opts.lr}`);
  if (opts.steps === 0) return [];
  const rng = new E.Random(opts.seed, STREAM);
  const byClass = indicesByClass(data.labels, data.classes);
  // One real target per synthetic row: a class's rows take distinct images while the class has enough.
  const targets: number[] = new Array(set.rows);
  for (let c = 0; c < set.classes; c++) {
    const rows = set.rowsOfClass(c);
    const pool = byClass[c];
    if (rows.length && !pool.length) throw new Error(`warm-up: class ${c} has no real images`);
    const order = rng.permutation(pool.length);
    rows.forEach((r, k) => (targets[r] = pool[order[k % pool.length]]));
  }
  const { channels, height, width } = set.image;
  const per = channels * height * width;
  const pixels = toFloat(data, targets);
  const batch = Math.min(opts.batch ?? 256, set.rows);
  const opt = new E.Adam(set.parameters(), { lr: opts.lr });
  const losses: E.Tensor[] = [];
  try {
    for (let s = 0; s < opts.steps; s++) {
      const rows = batch === set.rows ? Array.from({ length: set.rows }, (_, r) => r) : Array.from(rng.permutation(set.rows).subarray(0, batch));
      const target = new Float32Array(rows.length * per);
      rows.forEach((r, k) => target.set(pixels.subarray(r * per, (r + 1) * per), k * per));
      opt.zeroGrad();
      losses.push(
        E.keep(
          E.tidy(() => {
            const loss = E.mean(E.square(E.sub(set.decode(rows), E.tensor(target, [rows.length, channels, height, width]))));
            E.backward(loss);
            return E.noGrad(() => E.mulScalar(loss, 1));
          }),
        ),
      );
      opt.step();
    }
    const out: number[] = [];
    for (const l of losses) out.push(await l.item());
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`warm-up: the loss became ${out[bad]} at step ${bad + 1}; lower the warm-up learning rate`);
    return out;
  } finally {
    opt.zeroGrad();
    opt.dispose();
    losses.forEach((l) => l.dispose());
  }
}
