// Baseline (c): distribution matching (DM, Zhao & Bilen 2023). Every iteration draws a freshly initialised
// ConvNet that is never trained; for every class a real batch and all synthetic images of the class get
// one shared DSA augmentation, and the loss is the squared distance between their mean embeddings (the
// network's flattened features before the classifier):
//   loss = sum over classes c of || mean embed(aug(real_c)) - mean embed(aug(syn_c)) ||^2
// First order only: the real side is not recorded, and only the pixels are differentiated.
// DM optimises normalised pixels with SGD (lr 1.0, momentum 0.5). Our pixels are on the [0, 1] scale
// (x = mean + std * x_norm), so the gradient is scaled by std^2 per channel before the SGD step: that makes
// SGD with the same lr and momentum on x move x_norm exactly as DM's SGD would.
// All randomness of iteration t comes from Random(seed, stream) with streams derived from t, as in the
// condenser, so a run is deterministic from its seed.
import * as E from '../../engine/index.js';
import { applyAugment, sampleAugment, type Augmentation } from '../condense/augment.js';
import type { IterationResult, LabelledImages } from '../condense/condenser.js';
import { PixelNormaliser } from '../condense/normalise.js';
import { indicesByClass } from '../data/dataset.js';
import type { PixelSet } from './pixels.js';

export interface DmHyper {
  iterations: number;
  /** Real images per class per iteration (fewer where a class has fewer). */
  realBatch: number;
  netWidth: number;
  netDepth: number;
  /** SGD learning rate in DM's units (normalised pixels). */
  lr: number;
  momentum: number;
  augment: Augmentation[];
}

/** DM's settings for CIFAR-10 (20k iterations, real batch 256, SGD lr 1.0 momentum 0.5, the full DSA strategy). */
export const DEFAULT_DM_HYPER: DmHyper = {
  iterations: 20000,
  realBatch: 256,
  netWidth: 128,
  netDepth: 3,
  lr: 1.0,
  momentum: 0.5,
  augment: ['color', 'crop', 'cutout', 'flip', 'scale', 'rotate'],
};

const STREAM = { sample: 2, augment: 3 } as const;

/**
 * One class's DM loss on normalised batches: || mean embed(aug(real)) - mean embed(aug(syn)) ||^2. The same
 * augmentation parameters are applied image by image to both sides; the real side is not recorded.
 */
export function meanEmbeddingDistance(net: E.ConvNet, real: E.Tensor, syn: E.Tensor, strategy: readonly Augmentation[], aug: ReturnType<typeof sampleAugment>): E.Tensor {
  const realMean = E.noGrad(() => E.mean(net.embed(applyAugment(real, strategy, aug)), [0]));
  const synMean = E.mean(net.embed(applyAugment(syn, strategy, aug)), [0]);
  return E.sum(E.square(E.sub(realMean, synMean)));
}

export class DistributionMatcher {
  iteration = 0;
  readonly lossCurve: number[] = [];
  readonly hyper: DmHyper;
  private readonly opt: E.SGD;
  private readonly byClass: number[][];
  private readonly norm: PixelNormaliser;
  /** std^2 per channel, [1, C, 1, 1]: turns a gradient in [0, 1] units into DM's normalised-pixel step. */
  private readonly stdSquared: E.Tensor;

  /** `hyper` fields left out take DEFAULT_DM_HYPER's values. */
  constructor(
    readonly set: PixelSet,
    readonly data: LabelledImages,
    hyper: Partial<DmHyper>,
    readonly seed: number,
  ) {
    this.hyper = { ...DEFAULT_DM_HYPER, ...hyper };
    const { image, classes } = set;
    if (data.channels !== image.channels || data.height !== image.height || data.width !== image.width || data.classes !== classes) {
      throw new Error(`the dataset (${data.classes} classes of ${data.channels}x${data.height}x${data.width}) does not match the synthetic set (${classes} classes of ${image.channels}x${image.height}x${image.width})`);
    }
    this.byClass = indicesByClass(data.labels, classes);
    const empty = this.byClass.findIndex((l) => l.length === 0);
    if (empty >= 0) throw new Error(`class ${empty} has no training images`);
    this.norm = new PixelNormaliser(data);
    this.stdSquared = E.keep(E.tensor(Float32Array.from(this.norm.stats.std, (s) => s * s), [1, image.channels, 1, 1]));
    this.opt = new E.SGD(set.parameters(), { lr: this.hyper.lr, momentum: this.hyper.momentum });
  }

  private network(seed: number): E.ConvNet {
    const { image, classes } = this.set;
    return new E.ConvNet({ inChannels: image.channels, classes, width: this.hyper.netWidth, depth: this.hyper.netDepth, imageSize: image.height, seed });
  }

  private pick(rng: E.Random, from: readonly number[], k: number): number[] {
    if (from.length <= k) return [...from];
    const perm = rng.permutation(from.length);
    return Array.from(perm.subarray(0, k), (i) => from[i]);
  }

  /** Class c's loss on a real batch and all its synthetic images, the augmentation drawn from augRng. */
  private classLoss(net: E.ConvNet, c: number, real: number[], augRng: E.Random): E.Tensor {
    const rows = this.set.rowsOfClass(c);
    const { height, width } = this.set.image;
    const aug = sampleAugment(augRng, Math.max(real.length, rows.length), height, width);
    return meanEmbeddingDistance(net, this.norm.real(real), this.norm.apply(this.set.decode(rows)), this.hyper.augment, aug);
  }

  /** One iteration: a fresh network, every class's loss, one SGD step on the pixels. Returns the summed loss. */
  async step(): Promise<IterationResult> {
    const t = this.iteration;
    const stream = (s: number) => t * 16 + s;
    const net = this.network(this.seed * 1_000_003 + t);
    const sampleRng = new E.Random(this.seed, stream(STREAM.sample));
    const augRng = new E.Random(this.seed, stream(STREAM.augment));
    const pixels = this.set.pixels;
    const losses: E.Tensor[] = [];
    try {
      this.opt.zeroGrad();
      for (let c = 0; c < this.set.classes; c++) {
        const real = this.pick(sampleRng, this.byClass[c], this.hyper.realBatch);
        // Only the pixels are differentiated (the network's weights would cost a weight gradient per layer).
        const [loss, g] = E.tidy(() => {
          const d = this.classLoss(net, c, real, augRng);
          const [gp] = E.grad(d, [pixels]);
          return [E.noGrad(() => E.mulScalar(d, 1)), pixels.grad ? E.add(pixels.grad, gp) : gp];
        });
        losses.push(E.keep(loss));
        pixels.grad?.dispose();
        pixels.grad = E.keep(g);
      }
      const scaled = E.noGrad(() => E.mul(pixels.grad!, this.stdSquared));
      pixels.grad!.dispose();
      pixels.grad = E.keep(scaled);
      this.opt.step();
      let total = 0;
      for (const l of losses) total += await l.item();
      if (!Number.isFinite(total)) throw new Error(`the DM loss became ${total} at iteration ${t}; lower the learning rate or check the data`);
      this.lossCurve.push(total);
      this.iteration++;
      return { iteration: t, loss: total };
    } finally {
      this.opt.zeroGrad();
      losses.forEach((l) => l.dispose());
      net.dispose();
    }
  }

  /**
   * The DM loss (summed over classes, averaged over networks) on fixed networks, real batches and
   * augmentations, with no update: comparable across iterations, unlike step()'s loss.
   */
  async evaluate(netSeeds: number[], sampleSeed = 12345): Promise<number> {
    let total = 0;
    for (const netSeed of netSeeds) {
      const net = this.network(netSeed);
      const rng = new E.Random(sampleSeed, netSeed);
      for (let c = 0; c < this.set.classes; c++) {
        const real = this.pick(rng, this.byClass[c], this.hyper.realBatch);
        const d = E.noGrad(() => E.tidy(() => this.classLoss(net, c, real, rng)));
        total += await d.item();
        d.dispose();
      }
      net.dispose();
    }
    return total / netSeeds.length;
  }

  dispose(): void {
    this.opt.dispose();
    this.norm.dispose();
    this.stdSquared.dispose();
  }
}
