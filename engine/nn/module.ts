// Parameters and modules. A parameter is a leaf tensor that requires a gradient and lives outside every
// tidy() scope until its module is disposed. Initialisation follows PyTorch's defaults, drawn from the
// engine's counter-based Random so a seed gives the same network in Node and in Chrome.
import { Tensor, tensor, keep } from '../tensor.js';
import { requireGrad } from '../autodiff.js';
import { Random } from '../ops/random.js';

export function parameter(data: Float32Array, shape: number[]): Tensor {
  return keep(requireGrad(tensor(data, shape)));
}

/** PyTorch's default for conv/linear: kaiming-uniform(a = sqrt(5)) weights and U(+-1/sqrt(fan_in)) biases. */
export function defaultInit(rng: Random, shape: number[], fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  return rng.uniform(shape.reduce((a, b) => a * b, 1), -bound, bound);
}

export abstract class Module {
  /** Parameters in a fixed order with dotted names (PyTorch's state_dict keys for the same network). */
  abstract namedParameters(): [string, Tensor][];

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Host copies of every parameter. */
  async stateDict(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [name, t] of this.namedParameters()) out[name] = await t.floats();
    return out;
  }

  /** Overwrite parameters from host data; every name must be present with the right size. */
  loadStateDict(state: Record<string, ArrayLike<number>>): void {
    for (const [name, t] of this.namedParameters()) {
      const v = state[name];
      if (!v) throw new Error(`loadStateDict: missing '${name}'`);
      if (v.length !== t.size) throw new Error(`loadStateDict: '${name}' has ${v.length} values, the parameter has ${t.size}`);
      this.replace(name, parameter(Float32Array.from(v), [...t.shape]));
    }
  }

  /** Swap the tensor behind a parameter name (used by loadStateDict). */
  protected abstract replace(name: string, t: Tensor): void;

  dispose(): void {
    for (const t of this.parameters()) t.dispose();
  }
}
