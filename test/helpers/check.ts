// Comparing GPU results with independent float64 CPU references. A VJP reference is the central finite
// difference of <ref(x), v> in float64, which does not share any code with the engine's backward rules.
import { Tensor, tensor, grad, tidy, requireGrad } from '../../engine/index.js';
import { makeRng, randomArray, prod } from './rng.js';

export interface Tolerance { atol: number; rtol: number }

/** Throws naming the worst element when |a - e| > atol + rtol * |e| anywhere (NaN always fails). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${tol.atol}, rtol ${tol.rtol}; ${actual.length} elements)`);
  }
}

/** d/dx_k <f(x), v> for every element of every input, by central differences in float64. */
export function numericVjp(f: (xs: Float64Array[]) => ArrayLike<number>, xs: Float64Array[], v: ArrayLike<number>, which: boolean[], eps = 1e-6): (Float64Array | null)[] {
  const dot = (y: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * v[i];
    return s;
  };
  return xs.map((x, k) => {
    if (!which[k]) return null;
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const orig = x[i];
      x[i] = orig + eps;
      const up = dot(f(xs));
      x[i] = orig - eps;
      const down = dot(f(xs));
      x[i] = orig;
      g[i] = (up - down) / (2 * eps);
    }
    return g;
  });
}

export interface InputSpec {
  shape: number[];
  /** Value range for uniform random data (default [-1, 1)). */
  range?: [number, number];
  /** Fixed data instead of random values. */
  data?: ArrayLike<number>;
  /** Integer input (ids, labels): no gradient. */
  int?: boolean;
  /** Check this input's gradient (default: true for float inputs). */
  grad?: boolean;
}

export interface OpCheck {
  name: string;
  inputs: InputSpec[];
  gpu: (ts: Tensor[]) => Tensor;
  ref: (xs: Float64Array[]) => ArrayLike<number>;
  tol?: Tolerance;
  gradTol?: Tolerance;
  seed?: number;
  /** Skip the gradient check (non-differentiable op). */
  noGrad?: boolean;
  fdEps?: number;
}

export type Digest = Record<string, number[]>;

/** Forward against `ref`, then the VJP with a random cotangent against finite differences of `ref`. */
export async function checkOp(c: OpCheck): Promise<Digest> {
  const rng = makeRng(c.seed ?? hash(c.name));
  const xs = c.inputs.map((s) => (s.data ? Float64Array.from(s.data) : randomArray(prod(s.shape), rng, ...(s.range ?? [-1, 1]))));
  const tol = c.tol ?? { atol: 1e-5, rtol: 1e-4 };
  const gradTol = c.gradTol ?? { atol: 1e-4, rtol: 1e-3 };
  const which = c.inputs.map((s) => !c.noGrad && !s.int && s.grad !== false);
  const ts = c.inputs.map((s, i) => {
    const t = s.int ? tensor(Int32Array.from(xs[i]), s.shape, 'i32') : tensor(Float32Array.from(xs[i]), s.shape);
    return which[i] ? requireGrad(t) : t;
  });
  const expected = c.ref(xs);
  const y = tidy(() => c.gpu(ts));
  const yv = await y.data();
  expectClose(yv, expected, tol, `${c.name} forward`);
  const digest: Digest = { y: Array.from(yv) };
  if (which.some(Boolean)) {
    const v = randomArray(y.size, rng);
    const vT = tensor(Float32Array.from(v), y.shape);
    const gs = tidy(() => grad(y, ts.filter((_, i) => which[i]), { gradOutput: vT }));
    const ref = numericVjp(c.ref, xs, v, which, c.fdEps);
    let k = 0;
    for (let i = 0; i < ts.length; i++) {
      if (!which[i]) continue;
      const gv = await gs[k++].data();
      expectClose(gv, ref[i]!, gradTol, `${c.name} d/dinput${i}`);
      digest[`g${i}`] = Array.from(gv);
    }
    gs.forEach((g) => g.dispose());
    vT.dispose();
  }
  y.dispose();
  ts.forEach((t) => t.dispose());
  return digest;
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Throws unless fn throws an error whose message matches `pattern` (browser-safe: no vitest). */
export function expectThrows(fn: () => unknown, pattern: RegExp): void {
  let message = '';
  try {
    fn();
  } catch (e) {
    message = (e as Error).message;
  }
  if (!pattern.test(message)) throw new Error(`expected an error matching ${pattern}, got ${message ? `'${message}'` : 'none'}`);
}
