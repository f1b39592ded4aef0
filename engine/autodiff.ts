// Reverse-mode autodiff on a tape of GradNodes. Every backward rule is written with ordinary (taped) ops, so
// with { createGraph: true } the gradients are themselves recorded and can be differentiated again: this is
// what gradient matching needs (d/dS of a distance between parameter gradients).
import { Tensor, ones, zeros } from './tensor.js';
import { add } from './ops/elementwise.js';
import { reshape } from './ops/reduce.js';

/** Given dL/d(output) and which inputs need a gradient, return dL/d(input) per input (null when not needed). */
export type BackwardRule = (gradOutput: Tensor, needs: readonly boolean[]) => (Tensor | null)[];

export interface GradNode {
  op: string;
  inputs: readonly Tensor[];
  backward: BackwardRule;
  /** Tensors the backward rule reads that are not inputs or the output (e.g. ids, per-image parameters). */
  saved: readonly Tensor[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn with recording set to `on`, restoring the previous setting afterwards. */
function withRecording<T>(on: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Run fn without recording anything for autodiff. */
export function noGrad<T>(fn: () => T): T {
  return withRecording(false, fn);
}

/** Run fn with recording on, even inside a backward pass (a rule that builds a graph to differentiate). */
export function withGrad<T>(fn: () => T): T {
  return withRecording(true, fn);
}

/**
 * Attach a tape node to `out` when recording is on and some input requires a gradient. A backward rule may
 * read the op's inputs, its output, and the tensors listed in `saved`; tidy() keeps exactly those alive
 * for as long as the result is (anything else it captured would be freed under it).
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardRule, saved: readonly Tensor[] = []): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward, saved };
  }
  return out;
}

/** Mark a tensor as a leaf that gradients flow to (a parameter, or the synthetic data). */
export function requireGrad<T extends Tensor>(t: T, on = true): T {
  if (t.node) throw new Error(`requireGrad: tensor #${t.id} is the result of '${t.node.op}', not a leaf`);
  t.requiresGrad = on;
  return t;
}

/** Topological order (inputs before users) of the recorded graph under `output`. */
function topoOrder(output: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[output, 0]];
  visited.add(output);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

export interface GradOptions {
  /** Record the backward pass so the returned gradients can be differentiated again. */
  createGraph?: boolean;
  /** dL/d(output); defaults to ones (output must then be a scalar). */
  gradOutput?: Tensor;
  /** Return zeros for inputs the output does not depend on, instead of throwing. */
  allowUnused?: boolean;
  /**
   * Treat the inputs as leaves: partial derivatives, not total ones. A backward rule that differentiates a
   * function of its own op's inputs needs this, since one input (an incoming gradient) may itself depend on
   * another (the activation), and that path is the outer backward pass's to follow, not the rule's.
   */
  stopAtInputs?: boolean;
}

/** Gradients of `output` with respect to each of `inputs`. */
export function grad(output: Tensor, inputs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  if (!opts.gradOutput && output.size !== 1) {
    throw new Error(`grad(): output has shape [${output.shape.join(', ')}]; pass gradOutput for a non-scalar output`);
  }
  if (opts.gradOutput && opts.gradOutput.size !== output.size) {
    throw new Error(`grad(): gradOutput [${opts.gradOutput.shape.join(', ')}] does not match output [${output.shape.join(', ')}]`);
  }
  const targets = new Set(inputs);
  const order = topoOrder(output);
  // needed: the tensor is a target or leads to one.
  const needed = new Set<Tensor>();
  for (const t of order) {
    if (targets.has(t) || t.node?.inputs.some((x) => needed.has(x))) needed.add(t);
  }

  const run = (): Tensor[] => {
    const grads = new Map<Tensor, Tensor>();
    const owned = new Set<Tensor>(); // gradient tensors created here, freed when consumed (no createGraph)
    const handedOut = new Set<Tensor>();
    const seed = opts.gradOutput ?? ones(output.shape);
    if (!opts.gradOutput) owned.add(seed);
    grads.set(output, seed);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g || !t.node || !needed.has(t)) continue;
      if (opts.stopAtInputs && targets.has(t)) continue;
      const needs = t.node.inputs.map((x) => x.requiresGrad && needed.has(x));
      const inputGrads = t.node.backward(g, needs);
      t.node.inputs.forEach((x, i) => {
        let gi = inputGrads[i];
        if (!needs[i] || !gi) return;
        // A rule may pass a gradient on unchanged (add: [g, g]). Without createGraph gradients are freed as
        // soon as they are consumed, so each holder gets its own view of the shared (refcounted) storage.
        if (!opts.createGraph && (gi === g || handedOut.has(gi))) gi = gi.view(gi.shape);
        handedOut.add(gi);
        if (gi.size !== x.size) {
          throw new Error(`backward of '${t.node!.op}' gave a gradient of shape [${gi.shape.join(', ')}] for an input of shape [${x.shape.join(', ')}]`);
        }
        const prev = grads.get(x);
        if (!prev) {
          grads.set(x, gi);
          owned.add(gi);
        } else {
          const sum = add(prev, gi);
          if (!opts.createGraph) {
            if (owned.has(prev)) prev.dispose();
            gi.dispose();
          }
          grads.set(x, sum);
          owned.add(sum);
        }
      });
      if (!targets.has(t) && owned.has(g) && !opts.createGraph) {
        g.dispose(); // consumed; views handed to inputs keep the storage alive
        grads.delete(t);
      }
    }
    return inputs.map((x) => {
      const g = grads.get(x);
      if (g) return reshape(g, x.shape); // recorded, so a gradient that carries a graph keeps it
      if (!opts.allowUnused) throw new Error(`grad(): the output does not depend on input tensor #${x.id} [${x.shape.join(', ')}]`);
      return zeros(x.shape);
    });
  };
  return opts.createGraph ? run() : noGrad(run);
}

/** Accumulate d(output)/d(leaf) into leaf.grad for every leaf that requires a gradient. */
export function backward(output: Tensor, gradOutput?: Tensor): void {
  const leaves = topoOrder(output).filter((t) => t.requiresGrad && !t.node);
  const grads = grad(output, leaves, { gradOutput });
  leaves.forEach((leaf, i) => {
    const g = grads[i];
    if (leaf.grad) {
      const sum = noGrad(() => add(leaf.grad!, g));
      leaf.grad.dispose();
      g.dispose();
      leaf.grad = sum;
    } else {
      leaf.grad = g;
    }
    leaf.grad.scope?.delete(leaf.grad);
    leaf.grad.scope = null;
  });
}
