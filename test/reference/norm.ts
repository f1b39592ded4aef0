// Float64 CPU group normalisation (PyTorch GroupNorm semantics: biased variance).

/** Mean and 1 / sqrt(biased variance + eps) of group i, whose `per` values are contiguous. */
function groupStats(x: ArrayLike<number>, i: number, per: number, eps: number): { m: number; rstd: number } {
  let m = 0;
  for (let k = 0; k < per; k++) m += x[i * per + k];
  m /= per;
  let v = 0;
  for (let k = 0; k < per; k++) v += (x[i * per + k] - m) ** 2;
  return { m, rstd: 1 / Math.sqrt(v / per + eps) };
}

export function groupNormRef(shape: number[], groups: number, x: ArrayLike<number>, w?: ArrayLike<number>, b?: ArrayLike<number>, eps = 1e-5): Float64Array {
  const [n, c, h, wd] = shape;
  const per = (c / groups) * h * wd;
  const out = new Float64Array(x.length);
  for (let i = 0; i < n * groups; i++) {
    const { m, rstd } = groupStats(x, i, per, eps);
    for (let k = 0; k < per; k++) {
      const ch = (i % groups) * (c / groups) + Math.floor(k / (h * wd));
      out[i * per + k] = (x[i * per + k] - m) * rstd * (w ? w[ch] : 1) + (b ? b[ch] : 0);
    }
  }
  return out;
}

/** Float64 dL/dx of group norm given g = dL/dy: rstd (gw - mean(gw) - xhat mean(gw xhat)), gw = g w[c]. */
export function groupNormInputGradRef(shape: number[], groups: number, x: ArrayLike<number>, g: ArrayLike<number>, w?: ArrayLike<number>, eps = 1e-5): Float64Array {
  const [n, c, h, wd] = shape;
  const per = (c / groups) * h * wd;
  const xhat = groupNormRef(shape, groups, x, undefined, undefined, eps);
  const out = new Float64Array(x.length);
  for (let i = 0; i < n * groups; i++) {
    const { rstd } = groupStats(x, i, per, eps);
    const gw = (k: number) => g[i * per + k] * (w ? w[(i % groups) * (c / groups) + Math.floor(k / (h * wd))] : 1);
    let mg = 0;
    let mgx = 0;
    for (let k = 0; k < per; k++) {
      mg += gw(k);
      mgx += gw(k) * xhat[i * per + k];
    }
    mg /= per;
    mgx /= per;
    for (let k = 0; k < per; k++) out[i * per + k] = rstd * (gw(k) - mg - xhat[i * per + k] * mgx);
  }
  return out;
}
