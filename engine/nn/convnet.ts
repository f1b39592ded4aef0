// ConvNet-D as used throughout the dataset-condensation literature (DC, DSA, DM, IDC, HMN):
//   depth x [conv 3x3 pad 1 -> instance norm (GroupNorm(C, C), affine) -> ReLU -> avg-pool 2x2]
//   -> flatten -> linear(width * (imageSize / 2^depth)^2 -> classes)
// Width 128; depth 3 for 32x32 images (ConvNet-3), 4 for 64x64 (ConvNet-4). Parameter names match the
// PyTorch module with `features` (nn.Sequential) and `classifier` (nn.Linear): features.{4i} is the i-th
// conv, features.{4i+1} its norm.
import { Tensor } from '../tensor.js';
import { Random } from '../ops/random.js';
import { fmt } from '../shape.js';
import { reshape } from '../ops/reduce.js';
import { Module, type ParameterReader } from './module.js';
import { AvgPool2d, Conv2d, InstanceNorm2d, Linear, ReLU, Sequential } from './layers.js';

export interface ConvNetOptions {
  inChannels: number;
  classes: number;
  width?: number;
  depth?: number;
  imageSize?: number;
  /** Seed of the initialisation (default 0): the same seed gives the same network everywhere. */
  seed?: number;
}

/** The Random stream ConvNet initialisation draws from (any fixed number; "net" in ASCII). */
const INIT_STREAM = 0x6e6574;

export class ConvNet extends Module {
  readonly inChannels: number;
  readonly classes: number;
  readonly width: number;
  readonly depth: number;
  readonly imageSize: number;
  readonly features: Sequential;
  readonly classifier: Linear;

  constructor(opts: ConvNetOptions) {
    super();
    this.inChannels = opts.inChannels;
    this.classes = opts.classes;
    this.width = opts.width ?? 128;
    this.depth = opts.depth ?? 3;
    this.imageSize = opts.imageSize ?? 32;
    if (this.imageSize % 2 ** this.depth !== 0) throw new Error(`ConvNet: image size ${this.imageSize} is not divisible by 2^depth (${2 ** this.depth})`);
    const rng = new Random(opts.seed ?? 0, INIT_STREAM);
    const layers: Module[] = [];
    for (let i = 0; i < this.depth; i++) {
      const cin = i === 0 ? this.inChannels : this.width;
      layers.push(new Conv2d(cin, this.width, 3, { padding: 1, rng }), new InstanceNorm2d(this.width), new ReLU(), new AvgPool2d(2));
    }
    this.features = this.registerModule('features', new Sequential(layers));
    const side = this.imageSize / 2 ** this.depth;
    this.classifier = this.registerModule('classifier', new Linear(this.width * side * side, this.classes, { rng }));
  }

  /** Logits [N, classes] for images [N, inChannels, imageSize, imageSize]. */
  forwardWith(x: Tensor, p: ParameterReader): Tensor {
    this.checkImages(x);
    const h = this.features.forwardWith(x, p.child('features'));
    return this.classifier.forwardWith(reshape(h, [h.shape[0], -1]), p.child('classifier'));
  }

  /** The flattened features before the classifier, [N, width * (imageSize / 2^depth)^2]: DM's embedding. */
  embed(x: Tensor): Tensor {
    this.checkImages(x);
    const h = this.features.forward(x);
    return reshape(h, [h.shape[0], -1]);
  }

  private checkImages(x: Tensor): void {
    const { inChannels, imageSize } = this;
    if (x.rank !== 4 || x.shape[1] !== inChannels || x.shape[2] !== imageSize || x.shape[3] !== imageSize) {
      throw new Error(`ConvNet: expected images [N, ${inChannels}, ${imageSize}, ${imageSize}], got ${fmt(x.shape)}`);
    }
  }
}
