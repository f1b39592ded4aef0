// Float64 CPU resizing with PyTorch's coordinate rules. Scales are float32 like PyTorch's, and nearest's
// source coordinates are rounded to float32 too, so the same pixels are picked at exact boundaries.
export type ResizeKind = 'nearest' | 'bilinear';

const f32 = Math.fround;

/** The input indices and weights output index d reads along one axis of in -> out samples. */
export function resizeTaps(d: number, inSize: number, outSize: number, kind: ResizeKind, alignCorners: boolean): [number, number][] {
  if (kind === 'nearest') return [[Math.min(Math.floor(f32(d * f32(inSize / outSize))), inSize - 1), 1]];
  // PyTorch's float32 scale; the rest in float64 (bilinear weights are continuous in s).
  const s = alignCorners ? (outSize > 1 ? f32((inSize - 1) / (outSize - 1)) * d : 0) : Math.max(f32(inSize / outSize) * (d + 0.5) - 0.5, 0);
  const i0 = Math.min(Math.floor(s), inSize - 1);
  const i1 = Math.min(i0 + 1, inSize - 1);
  const l = s - i0;
  return [[i0, 1 - l], [i1, l]];
}

/** Resize NCHW `x` of `shape` to `size`. */
export function resizeRef(shape: readonly number[], size: readonly [number, number], kind: ResizeKind, alignCorners: boolean, x: ArrayLike<number>): Float64Array {
  const [n, c, h, w] = shape;
  const [ho, wo] = size;
  const out = new Float64Array(n * c * ho * wo);
  for (let pl = 0; pl < n * c; pl++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        let s = 0;
        for (const [iy, wy] of resizeTaps(oy, h, ho, kind, alignCorners)) {
          for (const [ix, wx] of resizeTaps(ox, w, wo, kind, alignCorners)) s += wy * wx * x[pl * h * w + iy * w + ix];
        }
        out[(pl * ho + oy) * wo + ox] = s;
      }
    }
  }
  return out;
}

/** The adjoint (transpose) of resizeRef: maps a gradient of the output [N, C, ho, wo] back to `shape`. */
export function resizeAdjointRef(shape: readonly number[], size: readonly [number, number], kind: ResizeKind, alignCorners: boolean, g: ArrayLike<number>): Float64Array {
  const [n, c, h, w] = shape;
  const [ho, wo] = size;
  const out = new Float64Array(n * c * h * w);
  for (let pl = 0; pl < n * c; pl++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const go = g[(pl * ho + oy) * wo + ox];
        for (const [iy, wy] of resizeTaps(oy, h, ho, kind, alignCorners)) {
          for (const [ix, wx] of resizeTaps(ox, w, wo, kind, alignCorners)) out[pl * h * w + iy * w + ix] += wy * wx * go;
        }
      }
    }
  }
  return out;
}
