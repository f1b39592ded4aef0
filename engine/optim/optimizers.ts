// SGD and Adam with PyTorch's exact update rules, one fused in-place kernel per parameter
// (shaders/optim.wgsl). Gradients come from backward() in each parameter's .grad.
import { Tensor, full, grid } from '../tensor.js';
import { runtime } from '../runtime.js';

const SGD_PLAIN = { ADAM: false, STATE: false };
const SGD_MOMENTUM = { ADAM: false, STATE: true };
const ADAM = { ADAM: true, STATE: true };

abstract class Optimizer {
  protected step_ = 0;
  /** Learning rate used by the next step (schedules set it). */
  lr: number;

  constructor(readonly params: Tensor[], lr: number) {
    if (!(lr >= 0)) throw new Error(`optimizer: learning rate must be >= 0, got ${lr}`);
    this.lr = lr;
  }

  get steps(): number {
    return this.step_;
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  protected grads(): (Tensor | null)[] {
    return this.params.map((p) => p.grad);
  }

  abstract step(): void;
  abstract state(): Promise<{ step: number; buffers: Record<string, Float32Array> }>;
  abstract loadState(s: { step: number; buffers: Record<string, ArrayLike<number>> }): void;
  abstract dispose(): void;
}

function stateBuffer(p: Tensor): Tensor {
  const t = full(p.shape, 0);
  t.scope?.delete(t);
  t.scope = null;
  return t;
}

async function dump(prefix: string, ts: (Tensor | null)[]): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (let i = 0; i < ts.length; i++) if (ts[i]) out[`${prefix}.${i}`] = await ts[i]!.floats();
  return out;
}

function restore(prefix: string, params: Tensor[], buffers: Record<string, ArrayLike<number>>, into: (Tensor | null)[]): void {
  params.forEach((p, i) => {
    const v = buffers[`${prefix}.${i}`];
    if (!v) return;
    if (v.length !== p.size) throw new Error(`optimizer state '${prefix}.${i}' has ${v.length} values, parameter has ${p.size}`);
    into[i] ??= stateBuffer(p);
    runtime().dispatcher.write(into[i]!.buffer, Float32Array.from(v));
  });
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  private momentumBuffers: (Tensor | null)[];

  constructor(params: Tensor[], readonly opts: SGDOptions) {
    super(params, opts.lr);
    if (opts.nesterov && !(opts.momentum! > 0)) throw new Error('SGD: nesterov needs momentum > 0');
    this.momentumBuffers = params.map(() => null);
  }

  step(): void {
    const momentum = this.opts.momentum ?? 0;
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      const first = !this.momentumBuffers[i];
      if (momentum > 0 && first) this.momentumBuffers[i] = stateBuffer(p);
      const buf = this.momentumBuffers[i];
      const flag = (first ? 1 : 0) | (this.opts.nesterov ? 2 : 0);
      runtime().dispatcher.run({
        shader: 'optim',
        defines: buf ? SGD_MOMENTUM : SGD_PLAIN,
        buffers: buf ? [p.buffer, g.buffer, buf.buffer] : [p.buffer, g.buffer],
        ints: [p.size, flag],
        floats: [this.lr, this.opts.weightDecay ?? 0, momentum, 0, 1, 1, 0],
        workgroups: grid(p.size),
      });
    });
    this.step_++;
  }

  async state() {
    return { step: this.step_, buffers: await dump('momentum', this.momentumBuffers) };
  }

  loadState(s: { step: number; buffers: Record<string, ArrayLike<number>> }): void {
    this.step_ = s.step;
    restore('momentum', this.params, s.buffers, this.momentumBuffers);
  }

  dispose(): void {
    this.momentumBuffers.forEach((t) => t?.dispose());
  }
}

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  private m: (Tensor | null)[];
  private v: (Tensor | null)[];

  constructor(params: Tensor[], readonly opts: AdamOptions) {
    super(params, opts.lr);
    this.m = params.map(() => null);
    this.v = params.map(() => null);
  }

  step(): void {
    const [b1, b2] = this.opts.betas ?? [0.9, 0.999];
    const t = this.step_ + 1;
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      this.m[i] ??= stateBuffer(p);
      this.v[i] ??= stateBuffer(p);
      runtime().dispatcher.run({
        shader: 'optim',
        defines: ADAM,
        buffers: [p.buffer, g.buffer, this.m[i]!.buffer, this.v[i]!.buffer],
        ints: [p.size, 0],
        floats: [this.lr, this.opts.weightDecay ?? 0, b1, b2, 1 - b1 ** t, 1 - b2 ** t, this.opts.eps ?? 1e-8],
        workgroups: grid(p.size),
      });
    });
    this.step_ = t;
  }

  async state() {
    return { step: this.step_, buffers: { ...(await dump('m', this.m)), ...(await dump('v', this.v)) } };
  }

  loadState(s: { step: number; buffers: Record<string, ArrayLike<number>> }): void {
    this.step_ = s.step;
    restore('m', this.params, s.buffers, this.m);
    restore('v', this.params, s.buffers, this.v);
  }

  dispose(): void {
    [...this.m, ...this.v].forEach((t) => t?.dispose());
  }
}

/** Cosine annealing from base to 0 over `total` steps. */
export const cosineLR = (base: number, step: number, total: number): number => (base * (1 + Math.cos((Math.PI * Math.min(step, total)) / total))) / 2;

/** Multiply by gamma every stepSize steps. */
export const stepLR = (base: number, step: number, stepSize: number, gamma = 0.1): number => base * gamma ** Math.floor(step / stepSize);
