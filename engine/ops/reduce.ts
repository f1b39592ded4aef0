// Reductions over any set of axes (shaders/reduce.wgsl) and broadcasting back: sum, mean, max, argmax,
// sumTo, broadcastTo, reshape. Backward rules use the same public ops, so they are differentiable too.
//
// Kernel plan: the input (always contiguous) is seen as blocks of neighbouring axes that are all reduced or
// all kept (size-1 axes dropped). Each reduced block is one pass over a [outer, n, inner] view, largest
// block first so the intermediates shrink fastest. A pass whose outputs are too few to fill the device
// splits n into interleaved chunks and reduces the partials again (two or more passes for, e.g., a sum of
// 8M elements to a scalar). Per-element index arithmetic is one addition: no division in the inner loops.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grid1d } from '../dispatch.js';
import { record } from '../autodiff.js';
import { broadcastShapes, normalizeAxes, shapesEqual, fmt } from '../shape.js';
import { mulScalar, mul, div, zipRaw } from './elementwise.js';
import type { Defines } from '../shaders.js';

type Kind = 'sum' | 'max' | 'argmax';

/** 'split': barrier-free serial loops everywhere; 'tree': workgroup trees for rows wherever they apply. */
export type ReduceKernelVariant = 'auto' | 'split' | 'tree';
let variant: ReduceKernelVariant = 'auto';

/** Pick the reduction kernels ('auto': by adapter and shape); returns the previous choice. Tests run both. */
export function setReduceKernelVariant(v: ReduceKernelVariant): ReduceKernelVariant {
  const before = variant;
  variant = v;
  return before;
}

// Memoised define objects: the dispatcher keys pipelines by object identity first.
const SPLIT: Record<Kind, Defines> = {
  sum: { TREE: false, ROWS: false, MAX: false, ARGMAX: false, OUT: 'f32' },
  max: { TREE: false, ROWS: false, MAX: true, ARGMAX: false, OUT: 'f32' },
  argmax: { TREE: false, ROWS: false, MAX: false, ARGMAX: true, OUT: 'i32' },
};
/** SPLIT for one output per contiguous row (inner = 1, chunks = 1): no index divisions. */
const ROWS: Record<Kind, Defines> = {
  sum: { ...SPLIT.sum, ROWS: true },
  max: { ...SPLIT.max, ROWS: true },
  argmax: { ...SPLIT.argmax, ROWS: true },
};
const TREE: Record<'sum' | 'max', Defines> = {
  sum: { TREE: true, ROWS: false, MAX: false, ARGMAX: false, OUT: 'f32' },
  max: { TREE: true, ROWS: false, MAX: true, ARGMAX: false, OUT: 'f32' },
};

/** Chunks never get shorter than this (the partials pass must stay cheap). */
const MIN_CHUNK = 32;
/** Rows at least this long, and at least this many of them, use the tree kernel on GPUs. */
const TREE_MIN_ROW = 1024;
const TREE_MIN_ROWS = 64;

function isCpuAdapter(): boolean {
  const a = runtime().info.adapterInfo;
  return /llvmpipe|lavapipe|swiftshader|software/i.test(`${a.description} ${a.device} ${a.vendor} ${a.architecture}`);
}

/** Invocations that keep the device busy: a GPU wants tens of thousands, a CPU adapter a few vector lanes per core. */
const targetInvocations = (): number => (isCpuAdapter() ? 4096 : 65536);

/** Interleaved chunks per output for a reduction of length n (1: a single pass). */
function chunksFor(outputs: number, n: number): number {
  if (n < 2 * MIN_CHUNK) return 1;
  const want = Math.ceil(targetInvocations() / outputs);
  return Math.max(1, Math.min(want, Math.floor(n / MIN_CHUNK)));
}

function useTree(kind: Kind, outer: number, n: number, inner: number): boolean {
  if (kind === 'argmax' || inner !== 1 || variant === 'split') return false;
  if (variant === 'tree') return n > 1;
  return !isCpuAdapter() && n >= TREE_MIN_ROW && outer >= TREE_MIN_ROWS;
}

function dispatchReduce(defines: Defines, x: Tensor, out: Tensor, dims: [number, number, number, number], scale: number, workgroups: [number, number, number]): void {
  runtime().dispatcher.run({ shader: 'reduce', defines, buffers: [x.buffer, out.buffer], ints: dims, floats: [scale], workgroups });
}

/** Reduce the middle axis of contiguous x seen as [outer, n, inner]; the result gets `shape`. */
function reduceMiddle(x: Tensor, outer: number, n: number, inner: number, kind: Kind, scale: number, shape: readonly number[]): Tensor {
  const outputs = outer * inner;
  if (useTree(kind, outer, n, inner)) {
    const out = empty(shape);
    dispatchReduce(TREE[kind as 'sum' | 'max'], x, out, [outer, n, 1, 1], scale, grid1d(outer, 1));
    return out;
  }
  const chunks = kind === 'argmax' ? 1 : chunksFor(outputs, n);
  if (chunks > 1) {
    const partial = empty([outer * chunks * inner]);
    dispatchReduce(SPLIT[kind], x, partial, [outer, n, inner, chunks], 1, grid1d(partial.size, 256));
    const out = reduceMiddle(partial, outer, chunks, inner, kind, scale, shape);
    partial.dispose(); // recorded work keeps its order: the buffer is reused only by later dispatches
    return out;
  }
  const out = empty(shape, kind === 'argmax' ? 'i32' : 'f32');
  dispatchReduce(inner === 1 ? ROWS[kind] : SPLIT[kind], x, out, [outer, n, inner, 1], scale, grid1d(outputs, 256));
  return out;
}

interface Block {
  size: number;
  reduced: boolean;
}

/** Neighbouring axes of the same kind merged (contiguous input, so their strides chain); size-1 axes dropped. */
function axisBlocks(shape: readonly number[], axes: readonly number[]): Block[] {
  const blocks: Block[] = [];
  shape.forEach((size, a) => {
    if (size === 1) return;
    const reduced = axes.includes(a);
    const last = blocks[blocks.length - 1];
    if (last && last.reduced === reduced) last.size *= size;
    else blocks.push({ size, reduced });
  });
  return blocks;
}

const product = (blocks: readonly Block[]): number => blocks.reduce((n, b) => n * b.size, 1);

/** Reduce `axes` (sorted, distinct) of x; sums are multiplied by `scale`. Not recorded. */
function reduceRaw(x: Tensor, axes: readonly number[], kind: Kind, keepDims = false, scale = 1): Tensor {
  const shape = keepDims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  if (x.dtype !== 'f32') throw new Error(`${kind}: expected an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (count === 0 && kind !== 'sum') throw new Error(`${kind}: cannot reduce over an empty axis of ${fmt(x.shape)}`);
  if (shape.reduce((n, d) => n * d, 1) === 0) return empty(shape, kind === 'argmax' ? 'i32' : 'f32');
  const blocks = axisBlocks(x.shape, axes);
  // Nothing to combine (only size-1 axes reduced): still one pass, a copy, so the result owns its buffer.
  if (!blocks.some((b) => b.reduced)) return reduceMiddle(x, x.size, 1, 1, kind, scale, shape);
  let current = x;
  while (blocks.some((b) => b.reduced)) {
    const b = blocks.reduce((best, blk, i) => (blk.reduced && (best < 0 || blk.size > blocks[best].size) ? i : best), -1);
    const outer = product(blocks.slice(0, b));
    const inner = product(blocks.slice(b + 1));
    const last = blocks.filter((blk) => blk.reduced).length === 1;
    const next = reduceMiddle(current, outer, blocks[b].size, inner, kind, last ? scale : 1, last ? shape : [outer * inner]);
    if (current !== x) current.dispose();
    current = next;
    blocks.splice(b, 1);
  }
  return current;
}

/** Shape with reduced axes set to 1. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'sum');
  const y = reduceRaw(x, ax, 'sum', keepDims);
  // reshape, not view: under createGraph g carries a graph that a view would cut.
  return record('sum', y, [x], (g) => [broadcastTo(reshape(g, keptShape(x.shape, ax)), x.shape)]);
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'mean');
  const n = ax.reduce((k, a) => k * x.shape[a], 1);
  const y = reduceRaw(x, ax, 'sum', keepDims, 1 / n); // the 1/n rides on the last pass
  return record('mean', y, [x], (g) => [broadcastTo(reshape(mulScalar(g, 1 / n), keptShape(x.shape, ax)), x.shape)]);
}

/** Maximum over axes; the gradient is shared equally between tied maxima. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'max');
  const y = reduceRaw(x, ax, 'max', keepDims);
  return record('max', y, [x], (g) => {
    const kept = keptShape(x.shape, ax);
    const mask = zipRaw(x, y.view(kept), 'select(0.0, 1.0, a == b)');
    const count = reduceRaw(mask, ax, 'sum', true);
    return [mul(mask, div(reshape(g, kept), count))];
  });
}

/** Index of the largest element along `axis` (the first one when tied), as i32. Not differentiable. */
export function argmax(x: Tensor, axis: number, keepDims = false): Tensor {
  const ax = normalizeAxes(axis, x.rank, 'argmax');
  return reduceRaw(x, ax, 'argmax', keepDims);
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
  // The binary kernel with b = a and the expression `a`: a broadcasting copy.
  const out = zipRaw(x, x, 'a', 'broadcastTo', shape);
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
