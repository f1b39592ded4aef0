// Layout ops: permute/transpose, slice/narrow/split, padTo/pad2d, concat/stack, and gather by integer ids
// with its scatter-add adjoint. Each backward rule is another layout op (permute <-> inverse permute,
// slice <-> padTo, gather <-> scatterAdd), all recorded, so they are differentiable to any order.
// Copies work on f32 and i32 tensors alike (labels and ids get sliced, gathered and concatenated too).
import { Tensor, empty, full, grid, tensor } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt, normalizeAxes, stridesOf, vec8 } from '../shape.js';
import { add } from './elementwise.js';
import { reshape } from './reduce.js';

// Memoised define objects (the dispatcher keys pipelines by object identity first).
const STRIDED = {
  f32: { gather: { T: 'f32', SCATTER: false }, scatter: { T: 'f32', SCATTER: true } },
  i32: { gather: { T: 'i32', SCATTER: false }, scatter: { T: 'i32', SCATTER: true } },
};
const PAD = { f32: { T: 'f32' }, i32: { T: 'i32' } };
const GATHER = { f32: { T: 'f32' }, i32: { T: 'i32' } };
const SCATTER_LINKS = { LINKS: true };
const SCATTER_SUM = { LINKS: false };

/**
 * Merge neighbouring axes that stay contiguous in the strided side (stride[d] = stride[d+1] * shape[d+1])
 * and drop size-1 axes: fewer axes for the kernel to decode, and a longer last axis to run along.
 */
function mergeAxes(shape: readonly number[], strides: readonly number[]): [number[], number[]] {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === strides[d] * size) {
      outShape[last] *= size;
      outStrides[last] = strides[d];
    } else {
      outShape.push(size);
      outStrides.push(strides[d]);
    }
  });
  return [outShape, outStrides];
}

/**
 * Elements one invocation copies along the last axis, enough to amortise decoding its row (lavapipe,
 * [64, 128, 32, 32]: 8 -> 32 made permute/pad/concat 1.5-2x faster, level with an elementwise op).
 * The copies stay interleaved across invocations, so GPUs still see coalesced accesses.
 */
const RUN = 32;
const chunksFor = (len: number): number => Math.max(1, Math.ceil(len / RUN));

function runStrided(mode: 'gather' | 'scatter', src: Tensor, dst: Tensor, shape: readonly number[], strides: readonly number[], offset: number): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const [s, st] = mergeAxes(shape, strides);
  const len = s.pop() ?? 1;
  const lastStride = st.pop() ?? 0;
  const rows = n / len;
  const chunks = chunksFor(len);
  runtime().dispatcher.run({
    shader: 'layout_strided',
    defines: STRIDED[src.dtype][mode],
    buffers: [src.buffer, dst.buffer],
    ints: [rows, len, chunks, offset, lastStride, s.length, 0, 0, ...vec8(s, 'row shape'), ...vec8(st, 'row strides')],
    workgroups: grid(rows * chunks),
  });
}

/** A new contiguous tensor of `shape` read from src at offset + coords . strides. */
function gatherStrided(src: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const out = empty(shape, src.dtype);
  runStrided('gather', src, out, shape, strides, offset);
  return out;
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || new Set(perm).size !== x.rank || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= x.rank)) {
    throw new Error(`permute: [${perm.join(', ')}] is not a permutation of the axes of ${fmt(x.shape)}`);
  }
  const strides = stridesOf(x.shape);
  const out = gatherStrided(x, perm.map((p) => x.shape[p]), perm.map((p) => strides[p]), 0);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record('permute', out, [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const [a] = normalizeAxes(dim0, x.rank, 'transpose');
  const [b] = normalizeAxes(dim1, x.rank, 'transpose');
  const perm = [...x.shape.keys()];
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** x[starts[d] : starts[d] + sizes[d]] on every axis (size -1 = to the end). */
export function slice(x: Tensor, starts: readonly number[], sizes: readonly number[]): Tensor {
  if (starts.length !== x.rank || sizes.length !== x.rank) {
    throw new Error(`slice: need ${x.rank} starts and sizes for ${fmt(x.shape)}, got ${fmt(starts)} and ${fmt(sizes)}`);
  }
  const shape = sizes.map((s, d) => (s === -1 ? x.shape[d] - starts[d] : s));
  shape.forEach((s, d) => {
    if (!Number.isInteger(starts[d]) || !Number.isInteger(s) || starts[d] < 0 || s < 0 || starts[d] + s > x.shape[d]) {
      throw new Error(`slice: starts ${fmt(starts)} with sizes ${fmt(sizes)} reach outside ${fmt(x.shape)}`);
    }
  });
  const strides = stridesOf(x.shape);
  const offset = starts.reduce((o, s, d) => o + s * strides[d], 0);
  const out = gatherStrided(x, shape, strides, offset);
  return record('slice', out, [x], (g) => [padTo(g, x.shape, starts)]);
}

/** `length` elements of axis `axis` from `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const [a] = normalizeAxes(axis, x.rank, 'narrow');
  return slice(x, x.shape.map((_, d) => (d === a ? start : 0)), x.shape.map((s, d) => (d === a ? length : s)));
}

/** Pieces of x along `axis`: of the given sizes (summing to the axis length), or all of one size (the last may be shorter). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const [a] = normalizeAxes(axis, x.rank, 'split');
  const len = x.shape[a];
  let pieces: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1) throw new Error(`split: piece size ${sizes} must be a positive integer`);
    pieces = Array.from({ length: Math.ceil(len / sizes) }, (_, i) => Math.min(sizes, len - i * sizes));
  } else {
    pieces = [...sizes];
    if (pieces.reduce((s, v) => s + v, 0) !== len) throw new Error(`split: sizes ${fmt(pieces)} do not add up to axis ${a} of ${fmt(x.shape)}`);
  }
  let at = 0;
  return pieces.map((size) => {
    const piece = narrow(x, a, at, size);
    at += size;
    return piece;
  });
}

/** A tensor of `shape` filled with `value`, with x written at `starts` (slice's adjoint when value = 0). */
export function padTo(x: Tensor, shape: readonly number[], starts: readonly number[], value = 0): Tensor {
  if (shape.length !== x.rank || starts.length !== x.rank || shape.some((s, d) => !Number.isInteger(starts[d]) || starts[d] < 0 || starts[d] + x.shape[d] > s)) {
    throw new Error(`padTo: ${fmt(x.shape)} at ${fmt(starts)} does not fit in ${fmt(shape)}`);
  }
  const out = empty(shape, x.dtype);
  if (out.size > 0) {
    // Axes that x fills entirely merge into the axis before them (the window stays one run).
    const dims: [number, number, number][] = [];
    shape.forEach((s, d) => {
      const full = starts[d] === 0 && x.shape[d] === s;
      const last = dims[dims.length - 1];
      if (full && last) dims[dims.length - 1] = [last[0] * s, last[1] * s, last[2] * s];
      else dims.push([s, starts[d], x.shape[d]]);
    });
    if (dims.length === 0) dims.push([1, 0, 1]); // rank 0
    const [len, startLast, sizeLast] = dims.pop()!;
    const rows = out.size / len;
    const chunks = chunksFor(len);
    const col = (k: 0 | 1 | 2) => vec8(dims.map((t) => t[k]), 'row shape');
    runtime().dispatcher.run({
      shader: 'slice_pad',
      defines: PAD[x.dtype],
      buffers: [x.buffer, out.buffer],
      ints: [rows, len, chunks, dims.length, startLast, sizeLast, 0, 0, ...col(0), ...col(1), ...col(2)],
      floats: [value],
      workgroups: grid(rows * chunks),
    });
  }
  return record('padTo', out, [x], (g) => [slice(g, starts, x.shape)]);
}

/** slice's adjoint under its older name: zeros of `shape` with x at `starts`. */
export const placeInto = (x: Tensor, shape: readonly number[], starts: readonly number[]): Tensor => padTo(x, shape, starts);

/** Pad the last two axes (H, W of NCHW) by [top, bottom, left, right] with `value`; the gradient is a slice. */
export function pad2d(x: Tensor, [top, bottom, left, right]: readonly [number, number, number, number], value = 0): Tensor {
  if (x.rank < 2) throw new Error(`pad2d: expected at least 2 axes ([..., H, W]), got ${fmt(x.shape)}`);
  if (![top, bottom, left, right].every((p) => Number.isInteger(p) && p >= 0)) {
    throw new Error(`pad2d: padding [${[top, bottom, left, right].join(', ')}] must be non-negative integers (for ${fmt(x.shape)})`);
  }
  const r = x.rank;
  const shape = x.shape.map((s, d) => (d === r - 2 ? s + top + bottom : d === r - 1 ? s + left + right : s));
  return padTo(x, shape, x.shape.map((_, d) => (d === r - 2 ? top : d === r - 1 ? left : 0)), value);
}

export function concat(ts: readonly Tensor[], axis: number): Tensor {
  if (ts.length === 0) throw new Error('concat: no tensors given');
  const [a] = normalizeAxes(axis, ts[0].rank, 'concat');
  for (const t of ts) {
    if (t.rank !== ts[0].rank || t.shape.some((d, i) => i !== a && d !== ts[0].shape[i])) {
      throw new Error(`concat: ${fmt(t.shape)} does not match ${fmt(ts[0].shape)} outside axis ${a}`);
    }
    if (t.dtype !== ts[0].dtype) throw new Error(`concat: cannot join ${ts[0].dtype} ${fmt(ts[0].shape)} and ${t.dtype} ${fmt(t.shape)}`);
  }
  const shape = [...ts[0].shape];
  shape[a] = ts.reduce((s, t) => s + t.shape[a], 0);
  const out = empty(shape, ts[0].dtype);
  const strides = stridesOf(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of ts) {
    starts.push(at);
    runStrided('scatter', t, out, t.shape, strides, at * strides[a]); // the pieces tile out exactly
    at += t.shape[a];
  }
  return record('concat', out, ts, (g, needs) =>
    ts.map((t, i) => (needs[i] ? slice(g, shape.map((_, d) => (d === a ? starts[i] : 0)), t.shape) : null)),
  );
}

export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error('stack: no tensors given');
  const a = axis < 0 ? axis + ts[0].rank + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > ts[0].rank) throw new Error(`stack: axis ${axis} is out of range for ${fmt(ts[0].shape)}`);
  for (const t of ts) {
    if (t.rank !== ts[0].rank || t.shape.some((d, i) => d !== ts[0].shape[i])) throw new Error(`stack: ${fmt(t.shape)} does not match ${fmt(ts[0].shape)}`);
  }
  return concat(ts.map((t) => reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])), a);
}

type Ids = Tensor | Int32Array | readonly number[];

/** Ids as an i32 vector tensor; CPU ids are checked against the axis length first. */
function idTensor(op: string, ids: Ids, rows: number): Tensor {
  if (ids instanceof Tensor) {
    if (ids.dtype !== 'i32' || ids.rank !== 1) throw new Error(`${op}: ids must be an i32 vector, got ${ids.dtype} ${fmt(ids.shape)}`);
    return ids;
  }
  const arr = Int32Array.from(ids);
  const bad = arr.findIndex((v, i) => v < 0 || v >= rows || v !== Number(ids[i]));
  if (bad >= 0) throw new Error(`${op}: id ${ids[bad]} (position ${bad}) is not an index into an axis of length ${rows}`);
  return tensor(arr, [arr.length], 'i32');
}

/** x seen as [outer, shape[axis], inner]. */
function viewAround(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[axis], inner];
}

/**
 * index_select: the slices of x along `axis` named by ids, in order (repeats allowed). CPU ids are range
 * checked; ids already on the GPU are clamped to the axis (checking them would need a read-back), here
 * and in the adjoint scatterAdd alike.
 */
export function gather(x: Tensor, ids: Ids, axis = 0): Tensor {
  const [a] = normalizeAxes(axis, x.rank, 'gather');
  if (x.shape[a] === 0) throw new Error(`gather: axis ${a} of ${fmt(x.shape)} is empty`);
  const idT = idTensor('gather', ids, x.shape[a]);
  const [outer, rows, inner] = viewAround(x.shape, a);
  const shape = [...x.shape];
  shape[a] = idT.shape[0];
  const out = empty(shape, x.dtype);
  if (out.size > 0) {
    runtime().dispatcher.run({
      shader: 'gather',
      defines: GATHER[x.dtype],
      buffers: [x.buffer, idT.buffer, out.buffer],
      ints: [outer, rows, inner, idT.shape[0]],
      workgroups: grid(out.size),
    });
  }
  const y = record('gather', out, [x], (g) => [scatterAdd(g, idT, a, rows)], [idT]);
  if (!y.requiresGrad && idT !== ids) idT.dispose(); // uploaded here and not needed by a backward
  return y;
}

/**
 * Sum the slices of g along `axis` into `rows` slices at ids (gather's adjoint; repeated ids add up).
 * Deterministic: each output element sums its own ids in ascending position (shaders/scatter_add.wgsl).
 * Ids on the GPU outside [0, rows) are clamped into it, as in gather.
 */
export function scatterAdd(g: Tensor, ids: Ids, axis: number, rows: number): Tensor {
  const [a] = normalizeAxes(axis, g.rank, 'scatterAdd');
  if (g.dtype !== 'f32') throw new Error(`scatterAdd: expected f32 values, got ${g.dtype} ${fmt(g.shape)}`);
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`scatterAdd: ${rows} rows is not a valid axis length (values ${fmt(g.shape)})`);
  const idT = idTensor('scatterAdd', ids, rows);
  if (g.shape[a] !== idT.size) throw new Error(`scatterAdd: ${idT.size} ids for axis ${a} of length ${g.shape[a]} in ${fmt(g.shape)}`);
  const [outer, , inner] = viewAround(g.shape, a);
  const shape = [...g.shape];
  shape[a] = rows;
  const out = empty(shape);
  if (out.size > 0) {
    const d = runtime().dispatcher;
    const dims = [outer, rows, inner, idT.size];
    const head = full([rows], -1, 'i32');
    const next = empty([Math.max(idT.size, 1)], 'i32');
    if (idT.size > 0) d.run({ shader: 'scatter_add', defines: SCATTER_LINKS, buffers: [idT.buffer, head.buffer, next.buffer], ints: dims, workgroups: grid(idT.size) });
    d.run({ shader: 'scatter_add', defines: SCATTER_SUM, buffers: [g.buffer, head.buffer, next.buffer, out.buffer], ints: dims, workgroups: grid(out.size) });
    head.dispose(); // later dispatches that reuse these buffers run after the ones recorded above
    next.dispose();
  }
  const y = record('scatterAdd', out, [g], (u) => [gather(u, idT, a)], [idT]);
  if (!y.requiresGrad && idT !== ids) idT.dispose();
  return y;
}

/** Sum of tensors of one shape (a convenience for accumulating lists). */
export function addN(ts: readonly Tensor[]): Tensor {
  if (ts.length === 0) throw new Error('addN: no tensors given');
  return ts.slice(1).reduce((acc, t) => add(acc, t), ts[0]);
}
