// Float64 CPU convolution references (direct loops).
export interface ConvGeo { n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; stride: number; pad: number }

export const outSize = (g: ConvGeo) => [Math.floor((g.h + 2 * g.pad - g.kh) / g.stride) + 1, Math.floor((g.w + 2 * g.pad - g.kw) / g.stride) + 1];

export function conv2dRef(g: ConvGeo, x: ArrayLike<number>, w: ArrayLike<number>, b?: ArrayLike<number>): Float64Array {
  const [ho, wo] = outSize(g);
  const out = new Float64Array(g.n * g.o * ho * wo);
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let y = 0; y < ho; y++) for (let xx = 0; xx < wo; xx++) {
    let s = b ? b[o] : 0;
    for (let c = 0; c < g.c; c++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = y * g.stride - g.pad + ky, ix = xx * g.stride - g.pad + kx;
      if (iy < 0 || ix < 0 || iy >= g.h || ix >= g.w) continue;
      s += x[((n * g.c + c) * g.h + iy) * g.w + ix] * w[((o * g.c + c) * g.kh + ky) * g.kw + kx];
    }
    out[((n * g.o + o) * ho + y) * wo + xx] = s;
  }
  return out;
}

/** dL/dW for L = <conv2d(x, W), v>: the correlation of x with v. */
export function conv2dWeightGradRef(g: ConvGeo, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const [ho, wo] = outSize(g);
  const out = new Float64Array(g.o * g.c * g.kh * g.kw);
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let y = 0; y < ho; y++) for (let xx = 0; xx < wo; xx++) {
    const gv = v[((n * g.o + o) * ho + y) * wo + xx];
    for (let c = 0; c < g.c; c++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = y * g.stride - g.pad + ky, ix = xx * g.stride - g.pad + kx;
      if (iy < 0 || ix < 0 || iy >= g.h || ix >= g.w) continue;
      out[((o * g.c + c) * g.kh + ky) * g.kw + kx] += gv * x[((n * g.c + c) * g.h + iy) * g.w + ix];
    }
  }
  return out;
}

/** PyTorch conv_transpose2d: x [N, Cin, H, W], w [Cin, Cout, kh, kw]. */
export function convTranspose2dRef(n: number, cin: number, h: number, wd: number, cout: number, kh: number, kw: number, stride: number, pad: number, outPad: number, x: ArrayLike<number>, w: ArrayLike<number>, b?: ArrayLike<number>): Float64Array {
  const ho = (h - 1) * stride - 2 * pad + kh + outPad, wo = (wd - 1) * stride - 2 * pad + kw + outPad;
  const out = new Float64Array(n * cout * ho * wo);
  for (let b0 = 0; b0 < n; b0++) for (let co = 0; co < cout; co++) for (let i = 0; i < ho * wo; i++) out[(b0 * cout + co) * ho * wo + i] = b ? b[co] : 0;
  for (let b0 = 0; b0 < n; b0++) for (let ci = 0; ci < cin; ci++) for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) {
    const v = x[((b0 * cin + ci) * h + y) * wd + xx];
    for (let co = 0; co < cout; co++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const oy = y * stride - pad + ky, ox = xx * stride - pad + kx;
      if (oy < 0 || ox < 0 || oy >= ho || ox >= wo) continue;
      out[((b0 * cout + co) * ho + oy) * wo + ox] += v * w[((ci * cout + co) * kh + ky) * kw + kx];
    }
  }
  return out;
}

/** dL/dx for L = <conv2d(x, W), v>: v scattered back through the weights (the adjoint of conv2dRef). */
export function conv2dDataGradRef(g: ConvGeo, w: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const [ho, wo] = outSize(g);
  const out = new Float64Array(g.n * g.c * g.h * g.w);
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let y = 0; y < ho; y++) for (let xx = 0; xx < wo; xx++) {
    const gv = v[((n * g.o + o) * ho + y) * wo + xx];
    for (let c = 0; c < g.c; c++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = y * g.stride - g.pad + ky, ix = xx * g.stride - g.pad + kx;
      if (iy < 0 || ix < 0 || iy >= g.h || ix >= g.w) continue;
      out[((n * g.c + c) * g.h + iy) * g.w + ix] += gv * w[((o * g.c + c) * g.kh + ky) * g.kw + kx];
    }
  }
  return out;
}
