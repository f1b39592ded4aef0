// The layers ConvNet-D is made of, with PyTorch's parameter names, layouts and default initialisation.
// Weights are drawn from the Random passed in, weight before bias, layer after layer as constructed.
import { Tensor } from '../tensor.js';
import type { Random } from '../ops/random.js';
import { conv2d } from '../ops/conv.js';
import { linear } from '../ops/matmul.js';
import { instanceNorm } from '../ops/norm.js';
import { avgPool2d } from '../ops/pool.js';
import { reluAvgPool2d } from '../ops/relu-pool.js';
import { relu } from '../ops/elementwise.js';
import { reshape } from '../ops/reduce.js';
import { Module, type ParameterReader } from './module.js';
import { fanInUniform, constantParameter } from './parameter.js';

export interface Conv2dOptions {
  rng: Random;
  stride?: number;
  padding?: number;
  bias?: boolean;
}

/** weight [out, in, k, k], bias [out]. */
export class Conv2d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly hasBias: boolean;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: number, opts: Conv2dOptions) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.hasBias = opts.bias ?? true;
    const fanIn = inChannels * kernel * kernel;
    this.registerParameter('weight', fanInUniform(opts.rng, [outChannels, inChannels, kernel, kernel], fanIn));
    if (this.hasBias) this.registerParameter('bias', fanInUniform(opts.rng, [outChannels], fanIn));
  }

  forwardWith(x: Tensor, p: ParameterReader): Tensor {
    return conv2d(x, p.get('weight'), this.hasBias ? p.get('bias') : undefined, { stride: this.stride, padding: this.padding });
  }
}

export interface LinearOptions {
  rng: Random;
  bias?: boolean;
}

/** x [N, in] -> [N, out]; weight [out, in], bias [out]. */
export class Linear extends Module {
  readonly hasBias: boolean;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions) {
    super();
    this.hasBias = opts.bias ?? true;
    this.registerParameter('weight', fanInUniform(opts.rng, [outFeatures, inFeatures], inFeatures));
    if (this.hasBias) this.registerParameter('bias', fanInUniform(opts.rng, [outFeatures], inFeatures));
  }

  forwardWith(x: Tensor, p: ParameterReader): Tensor {
    return linear(x, p.get('weight'), this.hasBias ? p.get('bias') : undefined);
  }
}

/**
 * Instance normalisation with a per-channel affine transform: PyTorch's GroupNorm(C, C, affine=True),
 * which is what the dataset-condensation ConvNet calls "instancenorm". Weight starts at 1, bias at 0.
 */
export class InstanceNorm2d extends Module {
  constructor(readonly channels: number, readonly eps = 1e-5) {
    super();
    this.registerParameter('weight', constantParameter([channels], 1));
    this.registerParameter('bias', constantParameter([channels], 0));
  }

  forwardWith(x: Tensor, p: ParameterReader): Tensor {
    return instanceNorm(x, p.get('weight'), p.get('bias'), this.eps);
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernel: number, readonly stride = kernel) {
    super();
  }

  forwardWith(x: Tensor): Tensor {
    return avgPool2d(x, this.kernel, this.stride);
  }
}

export class ReLU extends Module {
  forwardWith(x: Tensor): Tensor {
    return relu(x);
  }
}

/** [N, ...] -> [N, prod(...)]. */
export class Flatten extends Module {
  forwardWith(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}

/** Submodules applied in order, named "0", "1", ... */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forwardWith(x: Tensor, p: ParameterReader): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const m = this.layers[i];
      const next = this.layers[i + 1];
      // ReLU then 2x2 average pooling (every ConvNet block) runs as one fused op: same values, two
      // full-size passes fewer each way.
      if (m instanceof ReLU && next instanceof AvgPool2d && next.kernel === 2 && next.stride === 2) {
        h = reluAvgPool2d(h);
        i++;
        continue;
      }
      h = m.forwardWith(h, p.child(String(i)));
    }
    return h;
  }
}
