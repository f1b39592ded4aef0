// Reductions over any set of axes (shaders/reduce.wgsl) and broadcasting back: sum, mean, max, sumTo,
// broadcastTo. Backward rules use the same ops, so they are differentiable too.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grid1d } from '../dispatch.js';
import { record } from '../autodiff.js';
import { broadcastShapes, broadcastStrides, normalizeAxes, shapesEqual, stridesOf, vec8, fmt } from '../shape.js';
import { mulScalar, mul, div, zipRaw } from './elementwise.js';

const KINDS = {
  sum: { INIT: '0.0', COMBINE: 'acc + v', COMBINE2: 'acc2 + v', FINAL: 'partial[0]' },
  max: { INIT: '-3.402823e38', COMBINE: 'max(acc, v)', COMBINE2: 'max(acc2, v)', FINAL: 'partial[0]' },
};
const VARIANTS = {
  sum: {
    serial: { ...KINDS.sum, SERIAL: true, CONTIGUOUS: false },
    serialContiguous: { ...KINDS.sum, SERIAL: true, CONTIGUOUS: true },
    tree: { ...KINDS.sum, SERIAL: false, CONTIGUOUS: false },
  },
  max: {
    serial: { ...KINDS.max, SERIAL: true, CONTIGUOUS: false },
    serialContiguous: { ...KINDS.max, SERIAL: true, CONTIGUOUS: true },
    tree: { ...KINDS.max, SERIAL: false, CONTIGUOUS: false },
  },
};
/** Below this many reduced elements per output, one invocation per output beats a workgroup per output. */
const SERIAL_MAX = 256;

function reduceRaw(x: Tensor, axes: number[], kind: keyof typeof KINDS): Tensor {
  const strides = stridesOf(x.shape);
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keep.map((i) => x.shape[i]);
  const out = empty(outShape);
  const nRed = axes.reduce((n, a) => n * x.shape[a], 1);
  if (out.size === 0) return out;
  if (nRed === 0 && kind === 'max') throw new Error(`max: cannot reduce over an empty axis of ${fmt(x.shape)}`);
  const serial = nRed <= SERIAL_MAX || out.size >= 1024;
  // Reducing exactly the trailing axes: each output's inputs are one contiguous run.
  const contiguous = axes.every((a, i) => a === x.rank - axes.length + i);
  runtime().dispatcher.run({
    shader: 'reduce',
    defines: serial ? (contiguous ? VARIANTS[kind].serialContiguous : VARIANTS[kind].serial) : VARIANTS[kind].tree,
    buffers: [x.buffer, out.buffer],
    ints: [
      out.size, nRed, keep.length, axes.length,
      ...vec8(outShape), ...vec8(keep.map((i) => strides[i])),
      ...vec8(axes.map((a) => x.shape[a])), ...vec8(axes.map((a) => strides[a])),
    ],
    workgroups: serial ? grid1d(out.size, 256) : grid1d(out.size, 1),
  });
  return out;
}

/** Shape with reduced axes set to 1. */
function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * Sum over axes that are not one trailing block (e.g. [0, 2, 3] of NCHW, a bias gradient) in two
 * stages: the contiguous trailing axes first (many outputs, serial loops), then the rest (short).
 */
function sumRaw(x: Tensor, ax: number[]): Tensor {
  const trailing: number[] = [];
  for (let a = x.rank - 1; a >= 0 && ax.includes(a); a--) trailing.unshift(a);
  if (trailing.length === 0 || trailing.length === ax.length) return reduceRaw(x, ax, 'sum');
  const partial = reduceRaw(x, trailing, 'sum');
  const rest = reduceRaw(partial, ax.filter((a) => !trailing.includes(a)), 'sum');
  partial.dispose();
  return rest;
}

export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'sum');
  const raw = sumRaw(x, ax);
  const y = keepDims ? viewNoGrad(raw, keptShape(x.shape, ax)) : raw;
  // reshape, not view: under createGraph g carries a graph that a view would cut.
  return record('sum', y, [x], (g) => [broadcastTo(reshape(g, keptShape(x.shape, ax)), x.shape)]);
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'mean');
  const n = ax.reduce((k, a) => k * x.shape[a], 1);
  return mulScalar(sum(x, ax, keepDims), 1 / n);
}

/** Maximum over axes; the gradient is shared equally between tied maxima. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'max');
  const raw = reduceRaw(x, ax, 'max');
  const y = keepDims ? viewNoGrad(raw, keptShape(x.shape, ax)) : raw;
  return record('max', y, [x], (g) => {
    const yk = y.view(keptShape(x.shape, ax));
    const mask = zipRaw(x, yk, 'select(0.0, 1.0, a == b)');
    const count = reduceRaw(mask, ax, 'sum').view(keptShape(x.shape, ax));
    return [mul(mask, div(reshape(g, keptShape(x.shape, ax)), count))];
  });
}

function viewNoGrad(t: Tensor, shape: number[]): Tensor {
  const v = t.view(shape);
  t.dispose();
  return v;
}

/** Sum a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const pad = x.rank - shape.length;
  if (pad < 0) throw new Error(`sumTo: cannot sum ${fmt(x.shape)} to the larger rank of ${fmt(shape)}`);
  const axes = x.shape.map((_, i) => i).filter((i) => i < pad || (shape[i - pad] === 1 && x.shape[i] !== 1));
  const s = axes.length ? sum(x, axes, true) : x;
  return reshape(s, shape);
}

/** Repeat x along broadcast axes to `shape`. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const full = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!shapesEqual(full, shape)) throw new Error(`broadcastTo: ${fmt(x.shape)} does not broadcast to ${fmt(shape)}`);
  const out = empty(shape);
  // The binary kernel with b = a and the expression `a`: a broadcasting copy.
  const strides = vec8(broadcastStrides(x.shape, shape));
  runtime().dispatcher.run({
    shader: 'binary',
    defines: { EXPR: 'a', BROADCAST: true },
    buffers: [x.buffer, x.buffer, out.buffer],
    ints: [out.size, shape.length, 0, 0, ...vec8(shape), ...strides, ...strides],
    workgroups: grid1d(out.size, 256),
  });
  return record('broadcastTo', out, [x], (g) => [sumTo(g, x.shape)]);
}

/** Reshape (a view: no copy). Differentiable. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape(x.size, shape, x.shape);
  if (shapesEqual(resolved, x.shape)) return x;
  const out = x.view(resolved);
  return record('reshape', out, [x], (g) => [reshape(g, x.shape)]);
}

/** One dimension may be -1 and is inferred. */
export function resolveShape(size: number, shape: readonly number[], from: readonly number[]): number[] {
  const infer = shape.indexOf(-1);
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  const out = [...shape];
  if (infer >= 0) {
    if (shape.indexOf(-1, infer + 1) >= 0 || known === 0 || size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${fmt(from)} to ${fmt(shape)}`);
    }
    out[infer] = size / known;
  }
  if (out.reduce((n, d) => n * d, 1) !== size) throw new Error(`reshape: cannot reshape ${fmt(from)} (${size} values) to ${fmt(shape)}`);
  return out;
}
