// Modules: a tree of layers owning named parameters. Names are dotted paths in registration order
// ("features.0.weight"), the same keys PyTorch's state_dict() uses for the same network.
//
// forward(x, params?) evaluates the module functionally: with `params` given, every parameter is read from
// there instead of the module's own tensors. Gradient matching needs this to evaluate one network with
// parameter tensors it does not own (or to differentiate through parameters computed by other ops).
import { Tensor } from '../tensor.js';
import { runtime } from '../runtime.js';
import { shapesEqual, fmt } from '../shape.js';

/** Replacement parameters: a list in namedParameters() order, or a map / record keyed by parameter name. */
export type ParameterSource = readonly Tensor[] | ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** A module's parameters as seen by its forward pass; `child` narrows to a submodule's names. */
export class ParameterReader {
  constructor(private readonly lookup: (name: string) => Tensor, private readonly prefix = '') {}

  get(name: string): Tensor {
    return this.lookup(this.prefix + name);
  }

  child(name: string): ParameterReader {
    return new ParameterReader(this.lookup, `${this.prefix}${name}.`);
  }
}

export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** The computation, reading every parameter through `p` (names relative to this module). */
  abstract forwardWith(x: Tensor, p: ParameterReader): Tensor;

  /** Run the module on `x`, with its own parameters or with `params` in their place. */
  forward(x: Tensor, params?: ParameterSource): Tensor {
    return this.forwardWith(x, params === undefined ? this.ownReader() : this.overrideReader(params));
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkNewName(name);
    this.ownParameters.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkNewName(name);
    this.children.set(name, m);
    return m;
  }

  /** Direct submodules with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children.entries()];
  }

  /** Every parameter with its dotted name: this module's own first, then each submodule's (PyTorch's order). */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.ownParameters.entries()];
    for (const [prefix, m] of this.children) for (const [name, t] of m.namedParameters()) out.push([`${prefix}.${name}`, t]);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  /** Host copies of every parameter, keyed by name. */
  async stateDict(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [name, t] of this.namedParameters()) out[name] = await t.floats();
    return out;
  }

  /**
   * Overwrite every parameter in place from host data (so optimizers holding the tensors keep working).
   * Strict like PyTorch's default: a missing or unknown name, or a wrong size, is an error.
   */
  loadStateDict(state: Readonly<Record<string, ArrayLike<number>>> | ReadonlyMap<string, ArrayLike<number>>): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const named = this.namedParameters();
    const known = new Set(named.map(([name]) => name));
    const unknown = [...entries.keys()].filter((k) => !known.has(k));
    if (unknown.length) throw new Error(`loadStateDict: unexpected ${unknown.map((k) => `'${k}'`).join(', ')}`);
    for (const [name, t] of named) {
      const v = entries.get(name);
      if (!v) throw new Error(`loadStateDict: missing '${name}'`);
      if (v.length !== t.size) throw new Error(`loadStateDict: '${name}' has ${v.length} values, the parameter ${fmt(t.shape)} has ${t.size}`);
    }
    for (const [name, t] of named) runtime().dispatcher.write(t.buffer, Float32Array.from(entries.get(name)!));
  }

  /** Free every parameter (and its gradient). */
  dispose(): void {
    for (const t of this.parameters()) t.dispose();
  }

  private checkNewName(name: string): void {
    if (!name || name.includes('.')) throw new Error(`module: invalid name '${name}' (non-empty, no dots)`);
    if (this.ownParameters.has(name) || this.children.has(name)) throw new Error(`module: '${name}' is registered twice`);
  }

  private ownReader(): ParameterReader {
    const byName = new Map(this.namedParameters());
    return new ParameterReader((name) => byName.get(name) ?? missing(name));
  }

  private overrideReader(params: ParameterSource): ParameterReader {
    const named = this.namedParameters();
    let byName: Map<string, Tensor>;
    if (Array.isArray(params)) {
      if (params.length !== named.length) throw new Error(`forward: got ${params.length} parameters, the module has ${named.length}`);
      byName = new Map(named.map(([name], i) => [name, params[i] as Tensor]));
    } else {
      byName = params instanceof Map ? new Map(params) : new Map(Object.entries(params as Record<string, Tensor>));
      const known = new Set(named.map(([name]) => name));
      const unknown = [...byName.keys()].filter((k) => !known.has(k));
      if (unknown.length) throw new Error(`forward: unexpected parameter ${unknown.map((k) => `'${k}'`).join(', ')}`);
    }
    for (const [name, own] of named) {
      const t = byName.get(name);
      if (!t) throw new Error(`forward: no tensor for parameter '${name}'`);
      if (!shapesEqual(t.shape, own.shape)) throw new Error(`forward: parameter '${name}' should be ${fmt(own.shape)}, got ${fmt(t.shape)}`);
    }
    return new ParameterReader((name) => byName.get(name) ?? missing(name));
  }
}

function missing(name: string): never {
  throw new Error(`module: no parameter '${name}'`);
}
