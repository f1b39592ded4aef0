// Float64 CPU softmax family and losses (PyTorch semantics), plus the dataset-condensation pieces the
// second-order cases need: a linear model's cross-entropy gradient and the per-channel cosine distance.
export type Reduction = 'mean' | 'sum' | 'none';

export function logSoftmaxRow(r: readonly number[]): number[] {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
}

/** log-softmax of `x` (row-major `shape`) along `axis`. */
export function logSoftmaxRef(shape: readonly number[], axis: number, x: ArrayLike<number>): Float64Array {
  const ax = axis < 0 ? axis + shape.length : axis;
  const len = shape[ax];
  const inner = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * len + k) * inner + i;
      const row = logSoftmaxRow(Array.from({ length: len }, (_, k) => x[at(k)]));
      row.forEach((v, k) => (out[at(k)] = v));
    }
  }
  return out;
}

export function reduceRef(perSample: Float64Array, reduction: Reduction): Float64Array {
  if (reduction === 'none') return perSample;
  const total = perSample.reduce((s, v) => s + v, 0);
  return Float64Array.of(reduction === 'sum' ? total : total / perSample.length);
}

/** Cross-entropy of logits [n, c] with integer labels [n] or soft targets [n, c]. */
export function crossEntropyRef(n: number, c: number, logits: ArrayLike<number>, target: { labels: ArrayLike<number> } | { soft: ArrayLike<number> }, reduction: Reduction): Float64Array {
  const ls = logSoftmaxRef([n, c], 1, logits);
  const perSample = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const t = 'labels' in target ? (target.labels[i] === j ? 1 : 0) : target.soft[i * c + j];
      perSample[i] -= t * ls[i * c + j];
    }
  }
  return reduceRef(perSample, reduction);
}

export const mseRef = (a: ArrayLike<number>, b: ArrayLike<number>, reduction: Reduction): Float64Array =>
  reduceRef(Float64Array.from(a, (v, i) => (v - b[i]) ** 2), reduction);

export const l1Ref = (a: ArrayLike<number>, b: ArrayLike<number>, reduction: Reduction): Float64Array =>
  reduceRef(Float64Array.from(a, (v, i) => Math.abs(v - b[i])), reduction);

interface RowStats { dot: number; na: number; nb: number; den: number }

function rowStats(a: ArrayLike<number>, b: ArrayLike<number>, r: number, per: number): RowStats {
  let dot = 0, sa = 0, sb = 0;
  for (let k = r * per; k < (r + 1) * per; k++) {
    dot += a[k] * b[k];
    sa += a[k] ** 2;
    sb += b[k] ** 2;
  }
  const na = Math.sqrt(sa), nb = Math.sqrt(sb);
  return { dot, na, nb, den: na * nb + 1e-6 };
}

/** Sum over rows (first axis) of 1 - <a_r, b_r> / (|a_r| |b_r| + 1e-6). */
export function cosineDistanceRef(rows: number, a: ArrayLike<number>, b: ArrayLike<number>): number {
  const per = a.length / rows;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const { dot, den } = rowStats(a, b, r, per);
    s += 1 - dot / den;
  }
  return s;
}

/**
 * Analytic gradient of cosineDistanceRef with respect to a (swap the arguments for b). A zero row's norm
 * has gradient 0 there (as torch.norm's), so such a row gets -b_r / (|a_r| |b_r| + 1e-6).
 */
export function cosineDistanceGradRef(rows: number, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const per = a.length / rows;
  const g = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) {
    const { dot, na, nb, den } = rowStats(a, b, r, per);
    for (let k = r * per; k < (r + 1) * per; k++) {
      const dNorm = na > 0 ? a[k] / na : 0;
      g[k] = -b[k] / den + (dot * nb * dNorm) / (den * den);
    }
  }
  return g;
}

/** Mean cross-entropy of the linear model x W^T (x [n, d], W [c, d]) with labels, and dL/dW. */
export function ceLinearRef(n: number, d: number, c: number, x: ArrayLike<number>, w: ArrayLike<number>, labels: ArrayLike<number>): { loss: number; dW: Float64Array } {
  const dW = new Float64Array(c * d);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: c }, (_, j) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += w[j * d + k] * x[i * d + k];
      return s;
    });
    const ls = logSoftmaxRow(logits);
    loss -= ls[labels[i]] / n;
    for (let j = 0; j < c; j++) {
      const g = (Math.exp(ls[j]) - (j === labels[i] ? 1 : 0)) / n;
      for (let k = 0; k < d; k++) dW[j * d + k] += g * x[i * d + k];
    }
  }
  return { loss, dW };
}
