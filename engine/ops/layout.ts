// Layout ops: permute/transpose, slice, concat/stack, and gather by integer ids with its scatter-add
// adjoint. Each backward rule is another layout op (permute <-> inverse permute, slice <-> place into
// zeros, gather <-> scatter-add), all recorded, so they are differentiable to any order.
import { Tensor, empty, grid, tensor, full } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt, normalizeAxes, stridesOf, vec8 } from '../shape.js';
import { add } from './elementwise.js';
import { reshape } from './reduce.js';

/** out (contiguous `shape`) <- src read at offset + coords . strides. */
function gatherStrided(src: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const out = empty(shape);
  if (out.size > 0) {
    runtime().dispatcher.run({
      shader: 'strided',
      defines: { SCATTER: false },
      buffers: [src.buffer, out.buffer],
      ints: [out.size, shape.length, offset, 0, ...vec8(shape), ...vec8(strides)],
      workgroups: grid(out.size),
    });
  }
  return out;
}

/** Write src (contiguous, shape src.shape) into dst at offset + coords . strides. */
function scatterStrided(src: Tensor, dst: Tensor, strides: number[], offset: number): void {
  if (src.size === 0) return;
  runtime().dispatcher.run({
    shader: 'strided',
    defines: { SCATTER: true },
    buffers: [src.buffer, dst.buffer],
    ints: [src.size, src.rank, offset, 0, ...vec8(src.shape), ...vec8(strides)],
    workgroups: grid(src.size),
  });
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
  const [a, b] = [dim0, dim1].map((d) => normalizeAxes(d, x.rank, 'transpose')[0]);
  const perm = [...x.shape.keys()];
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** x[starts[d] : starts[d] + sizes[d]] on every axis (size -1 = to the end). */
export function slice(x: Tensor, starts: readonly number[], sizes: readonly number[]): Tensor {
  if (starts.length !== x.rank || sizes.length !== x.rank) throw new Error(`slice: need ${x.rank} starts and sizes for ${fmt(x.shape)}`);
  const shape = sizes.map((s, d) => (s === -1 ? x.shape[d] - starts[d] : s));
  shape.forEach((s, d) => {
    if (!Number.isInteger(starts[d]) || starts[d] < 0 || s < 0 || starts[d] + s > x.shape[d]) {
      throw new Error(`slice: [${starts.join(', ')}] + [${sizes.join(', ')}] is outside ${fmt(x.shape)}`);
    }
  });
  const strides = stridesOf(x.shape);
  const offset = starts.reduce((o, s, d) => o + s * strides[d], 0);
  const out = gatherStrided(x, shape, strides, offset);
  return record('slice', out, [x], (g) => [placeInto(g, x.shape, starts)]);
}

/** `length` elements of axis `axis` from `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const [a] = normalizeAxes(axis, x.rank, 'narrow');
  return slice(x, x.shape.map((_, d) => (d === a ? start : 0)), x.shape.map((s, d) => (d === a ? length : s)));
}

/** Zeros of `shape` with x written at `starts` (slice's adjoint). */
export function placeInto(x: Tensor, shape: readonly number[], starts: readonly number[]): Tensor {
  const out = full(shape, 0);
  const strides = stridesOf(shape);
  scatterStrided(x, out, strides, starts.reduce((o, s, d) => o + s * strides[d], 0));
  return record('placeInto', out, [x], (g) => [slice(g, starts, x.shape)]);
}

export function concat(ts: readonly Tensor[], axis: number): Tensor {
  if (ts.length === 0) throw new Error('concat: no tensors given');
  const [a] = normalizeAxes(axis, ts[0].rank, 'concat');
  for (const t of ts) {
    if (t.rank !== ts[0].rank || t.shape.some((d, i) => i !== a && d !== ts[0].shape[i])) {
      throw new Error(`concat: ${fmt(t.shape)} does not match ${fmt(ts[0].shape)} outside axis ${a}`);
    }
  }
  const shape = [...ts[0].shape];
  shape[a] = ts.reduce((s, t) => s + t.shape[a], 0);
  const out = empty(shape);
  const strides = stridesOf(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of ts) {
    starts.push(at);
    scatterStrided(t, out, strides, at * strides[a]);
    at += t.shape[a];
  }
  return record('concat', out, ts, (g, needs) =>
    ts.map((t, i) => (needs[i] ? slice(g, shape.map((_, d) => (d === a ? starts[i] : 0)), t.shape.map((s) => s)) : null)),
  );
}

export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error('stack: no tensors given');
  const a = axis < 0 ? axis + ts[0].rank + 1 : axis;
  return concat(ts.map((t) => reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])), a);
}

type Ids = Tensor | Int32Array | readonly number[];

/** Ids as an i32 tensor; CPU ids are checked against the axis length first. */
function idTensor(op: string, ids: Ids, rows: number): Tensor {
  if (ids instanceof Tensor) {
    if (ids.dtype !== 'i32' || ids.rank !== 1) throw new Error(`${op}: ids must be an i32 vector, got ${ids.dtype} ${fmt(ids.shape)}`);
    return ids;
  }
  const arr = Int32Array.from(ids);
  const bad = arr.findIndex((v) => v < 0 || v >= rows);
  if (bad >= 0) throw new Error(`${op}: id ${arr[bad]} (position ${bad}) is out of range for an axis of length ${rows}`);
  return tensor(arr, [arr.length], 'i32');
}

function viewAround(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[axis], inner];
}

/** index_select: the slices of x along `axis` named by ids (ids given on the GPU are clamped, not checked). */
export function gather(x: Tensor, ids: Ids, axis = 0): Tensor {
  const [a] = normalizeAxes(axis, x.rank, 'gather');
  const idT = idTensor('gather', ids, x.shape[a]);
  const [outer, rows, inner] = viewAround(x.shape, a);
  const shape = [...x.shape];
  shape[a] = idT.shape[0];
  const out = empty(shape);
  if (out.size > 0) {
    runtime().dispatcher.run({
      shader: 'gather',
      defines: { SCATTER_ADD: false },
      buffers: [x.buffer, idT.buffer, out.buffer],
      ints: [outer, rows, inner, idT.shape[0]],
      workgroups: grid(out.size),
    });
  }
  return record('gather', out, [x], (g) => [scatterAdd(g, idT, a, rows)], [idT]);
}

/** Sums the slices of g along `axis` into `rows` rows at ids (gather's adjoint). */
export function scatterAdd(g: Tensor, ids: Tensor, axis: number, rows: number): Tensor {
  const [a] = normalizeAxes(axis, g.rank, 'scatterAdd');
  if (g.shape[a] !== ids.size) throw new Error(`scatterAdd: ${ids.size} ids for an axis of length ${g.shape[a]} in ${fmt(g.shape)}`);
  const [outer, , inner] = viewAround(g.shape, a);
  const shape = [...g.shape];
  shape[a] = rows;
  const out = empty(shape);
  if (out.size > 0) {
    runtime().dispatcher.run({
      shader: 'gather',
      defines: { SCATTER_ADD: true },
      buffers: [g.buffer, ids.buffer, out.buffer],
      ints: [outer, rows, inner, ids.size],
      workgroups: grid(out.size),
    });
  }
  return record('scatterAdd', out, [g], (u) => [gather(u, ids, a)], [ids]);
}

/** Sum of tensors of one shape (a convenience for accumulating lists). */
export function addN(ts: readonly Tensor[]): Tensor {
  return ts.slice(1).reduce((acc, t) => add(acc, t), ts[0]);
}
