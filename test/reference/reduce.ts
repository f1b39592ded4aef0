// Float64 CPU references for reductions, written with plain loops over coordinates (no shared code with
// the engine's axis-block planning).

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** For every input element, the index of the output element it reduces into (reduced axes dropped). */
export function outputIndexMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  const map = new Int32Array(sizeOf(shape));
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < map.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o = o * shape[d] + coord[d];
    map[i] = o;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return map;
}

export type ReduceKind = 'sum' | 'mean' | 'max';

/** sum / mean / max of x (shape `shape`) over `axes`; returns a reference function for checkOp. */
export function reduceRef(shape: readonly number[], axes: readonly number[], kind: ReduceKind): (xs: Float64Array[]) => Float64Array {
  const map = outputIndexMap(shape, axes);
  const outSize = sizeOf(shape.filter((_, d) => !axes.includes(d)));
  const count = sizeOf(axes.map((a) => shape[a]));
  return ([x]) => {
    const out = new Float64Array(outSize).fill(kind === 'max' ? -Infinity : 0);
    for (let i = 0; i < x.length; i++) {
      const o = map[i];
      out[o] = kind === 'max' ? Math.max(out[o], x[i]) : out[o] + x[i];
    }
    if (kind === 'mean') for (let o = 0; o < outSize; o++) out[o] /= count;
    return out;
  };
}

/** Index of the first maximum along `axis`. */
export function argmaxRef(shape: readonly number[], axis: number): (xs: Float64Array[]) => Int32Array {
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  return ([x]) => {
    const out = new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        let best = 0;
        for (let r = 1; r < n; r++) if (x[(o * n + r) * inner + k] > x[(o * n + best) * inner + k]) best = r;
        out[o * inner + k] = best;
      }
    }
    return out;
  };
}

/** x (shape `from`) repeated along broadcast axes to `to` (NumPy rules). */
export function broadcastRef(from: readonly number[], to: readonly number[]): (xs: Float64Array[]) => Float64Array {
  const pad = to.length - from.length;
  return ([x]) => {
    const out = new Float64Array(sizeOf(to));
    const coord = new Array<number>(to.length).fill(0);
    for (let i = 0; i < out.length; i++) {
      let src = 0;
      for (let d = 0; d < from.length; d++) src = src * from[d] + (from[d] === 1 ? 0 : coord[d + pad]);
      out[i] = x[src];
      for (let d = to.length - 1; d >= 0; d--) {
        if (++coord[d] < to[d]) break;
        coord[d] = 0;
      }
    }
    return out;
  };
}
