// torch.optim.SGD (dampening 0): weight decay as an L2 term, heavy-ball or Nesterov momentum.
import { Tensor, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: readonly Tensor[], opts: SGDOptions) {
    // Checked before the base class allocates state.
    const momentum = opts.momentum ?? 0;
    checkNonNegative('momentum', momentum);
    if (opts.nesterov && momentum === 0) throw new Error('SGD: nesterov needs momentum > 0');
    checkNonNegative('weight decay', opts.weightDecay ?? 0);
    super(params, opts.lr, momentum > 0 ? ['momentum'] : []);
    this.momentum = momentum;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
  }

  protected update(p: Tensor, g: Tensor, i: number): void {
    const buf = this.momentum > 0 ? this.slot('momentum', i) : null;
    runtime().dispatcher.run({
      shader: 'sgd',
      defines: { MOMENTUM: buf !== null, NESTEROV: this.nesterov },
      buffers: buf ? [p.buffer, g.buffer, buf.buffer] : [p.buffer, g.buffer],
      ints: [p.size],
      floats: [this.lr, this.weightDecay, this.momentum],
      workgroups: grid(p.size),
    });
  }
}
