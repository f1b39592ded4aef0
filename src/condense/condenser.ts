// The condensation loop (batch-based gradient matching, as in IDC) over any SyntheticSet:
//   every outer iteration: a freshly initialised ConvNet
//     every inner step:
//       every class: a real batch and up to synBatch decoded images of the class, one shared augmentation,
//         the distance between the weight gradients of the cross-entropy on each, back-propagated (second
//         order) into the synthetic set's parameters (accumulated over classes): an HMN's memories,
//         extractors and decoder, or the pixel baseline's images themselves
//       one Adam step on the synthetic set; then netSteps SGD steps of the network on real data
// All randomness of iteration t comes from Random(seed, stream, counter) with streams derived from t, so a
// run resumed at an iteration boundary draws exactly what an uninterrupted run would.
import * as E from '../../engine/index.js';
import type { SyntheticSet } from './synthetic-set.js';
import { applyAugment, sampleAugment, type Augmentation } from './augment.js';
import { matchingDistance, type Distance } from './matching.js';
import { warmUpFromReal } from './warmup.js';
import { PixelNormaliser } from './normalise.js';
import { indicesByClass, type ImageDataset, type ImagePixels } from '../data/dataset.js';

/** What the condenser needs of a dataset (the loaders' ImageDataset has it). */
export type LabelledImages = ImagePixels & Pick<ImageDataset, 'labels' | 'classes'>;

export interface CondenseHyper {
  iterations: number;
  innerSteps: number;
  netSteps: number;
  realBatch: number;
  synBatch: number;
  netWidth: number;
  netDepth: number;
  netLr: number;
  netMomentum: number;
  netWeightDecay: number;
  /** Adam learning rate of the synthetic set's parameters (the HMN's, or the pixels of the pixel baseline). */
  hmnLr: number;
  /**
   * Multiplies hmnLr for the set's network weights (an HMN's extractors and decoder). Adam moves every
   * parameter by about lr per step; the decoder's weights are ~0.05 in size, its memories ~1, so one lr
   * for both drives the decoder's output into the sigmoid's flat ends within tens of steps.
   */
  networkLrScale: number;
  distance: Distance;
  augment: Augmentation[];
  /** Before the first iteration: Adam steps fitting the synthetic images to real ones (warmup.ts); 0 = none. */
  warmupSteps: number;
  warmupLr: number;
}

export const DEFAULT_HYPER: CondenseHyper = {
  iterations: 1000,
  innerSteps: 10,
  netSteps: 1,
  realBatch: 64,
  synBatch: 128,
  netWidth: 128,
  netDepth: 3,
  netLr: 0.01,
  netMomentum: 0.9,
  netWeightDecay: 5e-4,
  hmnLr: 0.005,
  networkLrScale: 1,
  distance: 'mse',
  augment: ['color', 'crop', 'cutout'],
  warmupSteps: 0,
  warmupLr: 0.01,
};

const STREAM = { network: 1, sample: 2, augment: 3, train: 4 } as const;

export interface IterationResult {
  iteration: number;
  loss: number;
}

/** Everything besides the synthetic set's parameters that a resumed run needs to continue exactly. */
export interface CondenserProgress {
  /** Outer iterations completed. */
  iteration: number;
  lossCurve: number[];
  adam: E.OptimizerState;
}

export class Condenser {
  iteration = 0;
  readonly lossCurve: number[] = [];
  /** The warm-up's mean squared error per step, when this run did one (not kept in checkpoints). */
  warmupCurve: number[] = [];
  readonly opt: E.Adam;
  private byClass: number[][];
  private norm: PixelNormaliser;

  constructor(
    readonly set: SyntheticSet,
    readonly data: LabelledImages,
    readonly hyper: CondenseHyper,
    readonly seed: number,
  ) {
    const { image, classes } = set;
    if (data.channels !== image.channels || data.height !== image.height || data.width !== image.width || data.classes !== classes) {
      throw new Error(
        `the dataset (${data.classes} classes of ${data.channels}x${data.height}x${data.width}) does not match the synthetic set (${classes} classes of ${image.channels}x${image.height}x${image.width})`,
      );
    }
    this.byClass = indicesByClass(data.labels, classes);
    const empty = this.byClass.findIndex((l) => l.length === 0);
    if (empty >= 0) throw new Error(`class ${empty} has no training images`);
    this.norm = new PixelNormaliser(data);
    const network = set.networkParameters?.() ?? set.parameters().map(() => false);
    this.opt = new E.Adam(set.parameters(), { lr: hyper.hmnLr, lrScales: network.map((n) => (n ? hyper.networkLrScale : 1)) });
  }

  /** The loop's position and the Adam moments, for a checkpoint (the set's parameters are saved beside it). */
  async progress(): Promise<CondenserProgress> {
    return { iteration: this.iteration, lossCurve: [...this.lossCurve], adam: await this.opt.state() };
  }

  /** Continue from a checkpoint's progress; the set must already hold the checkpoint's parameters. */
  restore(p: CondenserProgress): void {
    if (!(Number.isInteger(p.iteration) && p.iteration >= 0) || p.lossCurve.length !== p.iteration) {
      throw new Error(`restore: a checkpoint at iteration ${p.iteration} must carry that many losses, not ${p.lossCurve.length}`);
    }
    this.opt.loadState(p.adam);
    this.iteration = p.iteration;
    this.lossCurve.splice(0, this.lossCurve.length, ...p.lossCurve);
  }

  /** Normalised real images for the given dataset indices. */
  private realBatch(indices: ArrayLike<number>): E.Tensor {
    return this.norm.real(indices);
  }

  private normalise(x: E.Tensor): E.Tensor {
    return this.norm.apply(x);
  }

  private pick(rng: E.Random, from: readonly number[], k: number): number[] {
    if (from.length <= k) return [...from];
    const perm = rng.permutation(from.length);
    return Array.from(perm.subarray(0, k), (i) => from[i]);
  }

  /** One outer iteration; returns the mean matching distance over its inner steps and classes. */
  async step(): Promise<IterationResult> {
    const h = this.hyper;
    // Part of the first iteration, so a run resumed from any checkpoint never repeats it.
    if (this.iteration === 0 && h.warmupSteps > 0) {
      this.warmupCurve = await warmUpFromReal(this.set, this.data, { steps: h.warmupSteps, lr: h.warmupLr, seed: this.seed });
    }
    const t = this.iteration;
    const stream = (s: number) => t * 16 + s;
    const { classes, image } = this.set;
    const net = new E.ConvNet({ inChannels: image.channels, classes, width: h.netWidth, depth: h.netDepth, imageSize: image.height, seed: this.seed * 1_000_003 + t });
    const netOpt = new E.SGD(net.parameters(), { lr: h.netLr, momentum: h.netMomentum, weightDecay: h.netWeightDecay });
    const sampleRng = new E.Random(this.seed, stream(STREAM.sample));
    const augRng = new E.Random(this.seed, stream(STREAM.augment));
    const trainRng = new E.Random(this.seed, stream(STREAM.train));
    const losses: E.Tensor[] = [];
    try {
      for (let inner = 0; inner < h.innerSteps; inner++) {
        this.opt.zeroGrad();
        for (let c = 0; c < classes; c++) {
          const real = this.pick(sampleRng, this.byClass[c], h.realBatch);
          const rows = this.pick(sampleRng, this.set.rowsOfClass(c), h.synBatch);
          const aug = sampleAugment(augRng, Math.max(real.length, rows.length), image.height, image.width);
          const loss = E.tidy(() => {
            const params = net.parameters();
            const xr = applyAugment(this.realBatch(real), h.augment, aug);
            const xs = applyAugment(this.normalise(this.set.decode(rows)), h.augment, aug);
            const yr = E.tensor(new Int32Array(real.length).fill(c), [real.length], 'i32');
            const ys = E.tensor(new Int32Array(rows.length).fill(c), [rows.length], 'i32');
            const gReal = E.grad(E.crossEntropy(net.forward(xr), yr), params);
            const gSyn = E.grad(E.crossEntropy(net.forward(xs), ys), params, { createGraph: true });
            const d = matchingDistance(gReal, gSyn, params, h.distance);
            E.backward(d); // accumulates into the synthetic set's parameters' .grad
            return E.noGrad(() => E.mulScalar(d, 1));
          });
          losses.push(E.keep(loss));
        }
        this.opt.step();
        if (inner < h.innerSteps - 1) this.trainNetwork(net, netOpt, trainRng);
      }
      let total = 0;
      for (const l of losses) total += await l.item();
      const loss = total / losses.length;
      if (!Number.isFinite(loss)) throw new Error(`the matching loss became ${loss} at iteration ${t}; lower --hmn-lr or check the data`);
      this.lossCurve.push(loss);
      this.iteration++;
      return { iteration: t, loss };
    } finally {
      this.opt.zeroGrad();
      losses.forEach((l) => l.dispose());
      netOpt.dispose();
      net.dispose();
    }
  }

  /**
   * The matching distance on fixed networks and fixed batches (no update): comparable across iterations,
   * unlike the training loss, which uses a new random network each time.
   */
  async evaluate(netSeeds: number[], sampleSeed = 12345): Promise<number> {
    const h = this.hyper;
    const { classes, image } = this.set;
    let total = 0;
    let count = 0;
    for (const netSeed of netSeeds) {
      const net = new E.ConvNet({ inChannels: image.channels, classes, width: h.netWidth, depth: h.netDepth, imageSize: image.height, seed: netSeed });
      const rng = new E.Random(sampleSeed, netSeed);
      for (let c = 0; c < classes; c++) {
        const real = this.pick(rng, this.byClass[c], h.realBatch);
        const rows = this.pick(rng, this.set.rowsOfClass(c), h.synBatch);
        const d = E.tidy(() => {
          const params = net.parameters();
          const label = (n: number) => E.tensor(new Int32Array(n).fill(c), [n], 'i32');
          const gReal = E.grad(E.crossEntropy(net.forward(this.realBatch(real)), label(real.length)), params);
          const gSyn = E.grad(E.crossEntropy(net.forward(this.normalise(this.set.decode(rows))), label(rows.length)), params);
          return E.noGrad(() => matchingDistance(gReal, gSyn, params, h.distance));
        });
        total += await d.item();
        d.dispose();
        count++;
      }
      net.dispose();
    }
    return total / count;
  }

  /** A few SGD steps of the matching network on real images of all classes, as IDC does between updates. */
  private trainNetwork(net: E.ConvNet, opt: E.SGD, rng: E.Random): void {
    for (let s = 0; s < this.hyper.netSteps; s++) {
      const idx = rng.integers(this.hyper.realBatch, 0, this.data.count);
      E.tidy(() => {
        opt.zeroGrad();
        const y = E.tensor(Int32Array.from(idx, (i) => this.data.labels[i]), [idx.length], 'i32');
        E.backward(E.crossEntropy(net.forward(this.realBatch(idx)), y));
        opt.step();
      });
      opt.zeroGrad();
    }
  }

  dispose(): void {
    this.opt.dispose();
    this.norm.dispose();
  }
}
