// What SGD and Adam share: the parameter list, the learning rate (schedules assign `lr` between steps),
// per-parameter step counts, per-parameter state tensors, zeroGrad(), and state()/loadState() for
// checkpoints. Gradients are read from each parameter's .grad, as backward() leaves them.
import { Tensor, keep, zeros } from '../tensor.js';
import { runtime } from '../runtime.js';
import { fmt } from '../shape.js';

export interface OptimizerState {
  lr: number;
  /** Steps each parameter has taken (one without a gradient is skipped, and not counted, as in PyTorch). */
  steps: number[];
  /** State tensors named `${kind}.${parameter index}`, e.g. "momentum.0", "m.3", "v.3". */
  buffers: Record<string, Float32Array>;
}

export abstract class Optimizer {
  /** Learning rate of the next step. */
  lr: number;
  readonly params: readonly Tensor[];
  protected readonly steps: number[];
  /**
   * State tensors per kind, one per parameter, zeros until the parameter's first step. Allocated here rather
   * than on the first step, so that the first training step already uses all the memory later steps do.
   */
  private readonly slots = new Map<string, Tensor[]>();

  constructor(params: readonly Tensor[], lr: number, slotKinds: readonly string[]) {
    checkNonNegative('learning rate', lr);
    this.params = [...params];
    this.lr = lr;
    this.steps = this.params.map(() => 0);
    for (const kind of slotKinds) this.slots.set(kind, this.params.map((p) => keep(zeros(p.shape))));
  }

  /** Update every parameter that has a gradient: one fused in-place kernel per parameter. */
  step(): void {
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      if (g.size !== p.size || g.dtype !== 'f32') throw new Error(`optimizer: parameter ${i} ${fmt(p.shape)} has a gradient ${fmt(g.shape)} ${g.dtype}`);
      this.update(p, g, i, ++this.steps[i]);
    });
  }

  /** One parameter's update at its step t (1 on its first step). */
  protected abstract update(p: Tensor, g: Tensor, i: number, t: number): void;

  /** Drop every gradient (PyTorch's zero_grad(set_to_none=True)): the next backward() starts fresh. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Parameter i's state tensor of `kind`. */
  protected slot(kind: string, i: number): Tensor {
    return this.slots.get(kind)![i];
  }

  async state(): Promise<OptimizerState> {
    const buffers: Record<string, Float32Array> = {};
    for (const [kind, slots] of this.slots) {
      for (let i = 0; i < slots.length; i++) buffers[`${kind}.${i}`] = await slots[i].floats();
    }
    return { lr: this.lr, steps: [...this.steps], buffers };
  }

  /**
   * Continue from a state() of an optimizer over parameters of the same shapes, in the same order. A state
   * tensor the checkpoint lacks starts from zeros.
   */
  loadState(s: OptimizerState): void {
    if (s.steps.length !== this.params.length) throw new Error(`loadState: state is for ${s.steps.length} parameters, this optimizer has ${this.params.length}`);
    for (const [name, v] of Object.entries(s.buffers)) {
      const [kind, index] = name.split('.');
      const i = Number(index);
      if (!this.slots.has(kind) || !(Number.isInteger(i) && i >= 0 && i < this.params.length)) throw new Error(`loadState: unexpected state '${name}'`);
      if (v.length !== this.params[i].size) throw new Error(`loadState: '${name}' has ${v.length} values, parameter ${i} has ${this.params[i].size}`);
    }
    checkNonNegative('learning rate', s.lr);
    this.lr = s.lr;
    s.steps.forEach((t, i) => (this.steps[i] = t));
    for (const [kind, slots] of this.slots) {
      slots.forEach((t, i) => runtime().dispatcher.write(t.buffer, Float32Array.from(s.buffers[`${kind}.${i}`] ?? new Float32Array(t.size))));
    }
  }

  /** Free the state tensors (the parameters belong to their module). */
  dispose(): void {
    for (const slots of this.slots.values()) slots.forEach((t) => t.dispose());
    this.slots.clear();
  }
}

export function checkNonNegative(what: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`optimizer: ${what} must be a finite number >= 0, got ${v}`);
}
