// ConvNet-D as used throughout the dataset-condensation literature (DC, DSA, DM, IDC, HMN):
//   depth x [conv 3x3 pad 1 -> instance norm (GroupNorm(C, C), affine) -> ReLU -> avg-pool 2x2]
//   -> flatten -> linear. Width 128; depth 3 for 32x32 images, 4 for 64x64.
// forward() can run with an explicit parameter list, so gradient matching can evaluate one network with
// given tensors. Parameter names match PyTorch's nn.Sequential layout: features.{4i}.* is the i-th conv,
// features.{4i+1}.* its norm, classifier.* the linear head.
import { Tensor } from '../tensor.js';
import { Random } from '../ops/random.js';
import { conv2d } from '../ops/conv.js';
import { instanceNorm } from '../ops/norm.js';
import { relu } from '../ops/elementwise.js';
import { avgPool2d } from '../ops/pool.js';
import { reshape } from '../ops/reduce.js';
import { linear } from '../ops/matmul.js';
import { fmt } from '../shape.js';
import { Module, defaultInit, parameter } from './module.js';

export interface ConvNetOptions {
  inChannels: number;
  classes: number;
  width?: number;
  depth?: number;
  imageSize?: number;
  seed?: number;
}

export class ConvNet extends Module {
  readonly width: number;
  readonly depth: number;
  readonly imageSize: number;
  private params: Map<string, Tensor> = new Map();

  constructor(readonly opts: ConvNetOptions) {
    super();
    this.width = opts.width ?? 128;
    this.depth = opts.depth ?? 3;
    this.imageSize = opts.imageSize ?? 32;
    if (this.imageSize % 2 ** this.depth !== 0) throw new Error(`ConvNet: image size ${this.imageSize} is not divisible by 2^depth (${2 ** this.depth})`);
    const rng = new Random(opts.seed ?? 0, 0x6e6574);
    let cin = opts.inChannels;
    for (let i = 0; i < this.depth; i++) {
      const fan = cin * 9;
      this.params.set(`features.${4 * i}.weight`, parameter(defaultInit(rng, [this.width, cin, 3, 3], fan), [this.width, cin, 3, 3]));
      this.params.set(`features.${4 * i}.bias`, parameter(defaultInit(rng, [this.width], fan), [this.width]));
      this.params.set(`features.${4 * i + 1}.weight`, parameter(new Float32Array(this.width).fill(1), [this.width]));
      this.params.set(`features.${4 * i + 1}.bias`, parameter(new Float32Array(this.width), [this.width]));
      cin = this.width;
    }
    const features = this.width * (this.imageSize / 2 ** this.depth) ** 2;
    this.params.set('classifier.weight', parameter(defaultInit(rng, [opts.classes, features], features), [opts.classes, features]));
    this.params.set('classifier.bias', parameter(defaultInit(rng, [opts.classes], features), [opts.classes]));
  }

  namedParameters(): [string, Tensor][] {
    return [...this.params.entries()];
  }

  protected replace(name: string, t: Tensor): void {
    this.params.get(name)?.dispose();
    this.params.set(name, t);
  }

  /** Logits [N, classes] for images [N, C, S, S]; `params` (same order as parameters()) overrides the own ones. */
  forward(x: Tensor, params: Tensor[] = this.parameters()): Tensor {
    const { inChannels } = this.opts;
    if (x.rank !== 4 || x.shape[1] !== inChannels || x.shape[2] !== this.imageSize || x.shape[3] !== this.imageSize) {
      throw new Error(`ConvNet: expected images [N, ${inChannels}, ${this.imageSize}, ${this.imageSize}], got ${fmt(x.shape)}`);
    }
    let h = x;
    for (let i = 0; i < this.depth; i++) {
      const [w, b, nw, nb] = params.slice(4 * i, 4 * i + 4);
      h = avgPool2d(relu(instanceNorm(conv2d(h, w, b, { padding: 1 }), nw, nb)), 2);
    }
    const [lw, lb] = params.slice(4 * this.depth);
    return linear(reshape(h, [x.shape[0], -1]), lw, lb);
  }
}
