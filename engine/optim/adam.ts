// torch.optim.Adam (amsgrad off): bias-corrected moments, weight decay as an L2 term on the gradient.
import { Tensor, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /**
   * Per-parameter multipliers of lr (PyTorch's parameter groups with their own lr): e.g. a generator's
   * small weights take smaller steps than its unit-scale inputs. Default: 1 for every parameter.
   */
  lrScales?: readonly number[];
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly lrScales: readonly number[];

  constructor(params: readonly Tensor[], opts: AdamOptions) {
    // Checked before the base class allocates state.
    const betas = opts.betas ?? [0.9, 0.999];
    for (const b of betas) if (!(b >= 0 && b < 1)) throw new Error(`Adam: betas must lie in [0, 1), got [${betas.join(', ')}]`);
    checkNonNegative('eps', opts.eps ?? 1e-8);
    checkNonNegative('weight decay', opts.weightDecay ?? 0);
    super(params, opts.lr, ['m', 'v']);
    this.betas = betas;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    const scales = opts.lrScales ?? params.map(() => 1);
    if (scales.length !== params.length) throw new Error(`Adam: ${scales.length} lr scales for ${params.length} parameters`);
    scales.forEach((k) => checkNonNegative('lr scale', k));
    this.lrScales = [...scales];
  }

  protected update(p: Tensor, g: Tensor, i: number, t: number): void {
    const [beta1, beta2] = this.betas;
    // Bias corrections in float64 on the host, as PyTorch computes them in Python.
    const stepSize = (this.lr * this.lrScales[i]) / (1 - beta1 ** t);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** t);
    runtime().dispatcher.run({
      shader: 'adam',
      buffers: [p.buffer, g.buffer, this.slot('m', i).buffer, this.slot('v', i).buffer],
      ints: [p.size],
      floats: [stepSize, correction2Sqrt, this.weightDecay, beta1, beta2, this.eps],
      workgroups: grid(p.size),
    });
  }
}
