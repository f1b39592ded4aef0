// Float64 CPU 2-D pooling over NCHW (PyTorch semantics: zero padding counted by average pooling,
// count_include_pad = true; padding never wins a max).
export interface PoolGeo { shape: number[]; k: number; s: number; p: number }

export function poolOutShape(g: PoolGeo): number[] {
  const [n, c, h, w] = g.shape;
  return [n, c, Math.floor((h + 2 * g.p - g.k) / g.s) + 1, Math.floor((w + 2 * g.p - g.k) / g.s) + 1];
}

/** Calls `visit(o, taps)` for every output element o with the flat input indices its window covers. */
export function poolWindows(g: PoolGeo, visit: (o: number, taps: number[]) => void): void {
  const [n, c, ho, wo] = poolOutShape(g);
  const [h, w] = g.shape.slice(2);
  for (let pl = 0; pl < n * c; pl++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const taps: number[] = [];
        for (let dy = 0; dy < g.k; dy++) {
          for (let dx = 0; dx < g.k; dx++) {
            const y = oy * g.s - g.p + dy;
            const x = ox * g.s - g.p + dx;
            if (y >= 0 && x >= 0 && y < h && x < w) taps.push(pl * h * w + y * w + x);
          }
        }
        visit((pl * ho + oy) * wo + ox, taps);
      }
    }
  }
}

export function avgPoolRef(g: PoolGeo, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(poolOutShape(g).reduce((a, b) => a * b, 1));
  poolWindows(g, (o, taps) => (out[o] = taps.reduce((s, t) => s + x[t], 0) / (g.k * g.k)));
  return out;
}

/** The adjoint of avgPoolRef: each output gradient spread evenly over its window. */
export function avgPoolAdjointRef(g: PoolGeo, gy: ArrayLike<number>): Float64Array {
  const out = new Float64Array(g.shape.reduce((a, b) => a * b, 1));
  poolWindows(g, (o, taps) => taps.forEach((t) => (out[t] += gy[o] / (g.k * g.k))));
  return out;
}

export function maxPoolRef(g: PoolGeo, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(poolOutShape(g).reduce((a, b) => a * b, 1));
  poolWindows(g, (o, taps) => (out[o] = Math.max(...taps.map((t) => x[t]))));
  return out;
}

/** Flat input index of each window's maximum (the first one on ties). */
export function maxPoolArgRef(g: PoolGeo, x: ArrayLike<number>): Int32Array {
  const out = new Int32Array(poolOutShape(g).reduce((a, b) => a * b, 1));
  poolWindows(g, (o, taps) => (out[o] = taps.reduce((best, t) => (x[t] > x[best] ? t : best), taps[0])));
  return out;
}
