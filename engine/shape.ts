// Shape arithmetic shared by the ops: broadcasting, strides, axes, and packing them for shaders.
import type { Shape } from './tensor.js';

export const MAX_RANK = 8;

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** NumPy broadcasting of two shapes; throws naming both shapes when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape, op = 'op'): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Contiguous (row-major) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Strides of `shape` read as if broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const pad = outShape.length - shape.length;
  return outShape.map((_, i) => (i < pad || shape[i - pad] === 1 ? 0 : own[i - pad]));
}

/**
 * The same strided iteration over fewer axes: drops size-1 axes and merges neighbours that every operand
 * steps through contiguously (stride[d] = stride[d + 1] * shape[d + 1], broadcast axes included: 0 = 0).
 * [64,128,16,16] + [1,128,1,1] becomes [64,128,256] with strides [0,1,0] for the second operand.
 */
export function collapseAxes(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((st, k) => outStrides[k][last] === st[d] * size)) {
      outShape[last] *= size;
      strides.forEach((st, k) => (outStrides[k][last] = st[d]));
    } else {
      outShape.push(size);
      strides.forEach((st, k) => outStrides[k].push(st[d]));
    }
  });
  return { shape: outShape, strides: outStrides };
}

/** Axes as sorted non-negative integers; undefined means all axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op = 'op'): number[] {
  const list = axes === undefined ? [...Array(rank).keys()] : typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (!Number.isInteger(n) || n < 0 || n >= rank) throw new Error(`${op}: axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated axis in [${list.join(', ')}]`);
  return out.sort((x, y) => x - y);
}

/** Pack up to MAX_RANK values into 8 u32 words (two vec4u in WGSL). */
export function vec8(values: readonly number[], what = 'shape'): number[] {
  if (values.length > MAX_RANK) throw new Error(`${what} has rank ${values.length}; kernels support up to ${MAX_RANK}`);
  const out = new Array<number>(MAX_RANK).fill(0);
  values.forEach((v, i) => (out[i] = v));
  return out;
}
