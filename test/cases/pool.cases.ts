// Average and max pooling against float64 CPU references (all kernel paths: 2x2 on widths that are
// multiples of 4, other non-overlapping windows, and the general strided/padded one), and second order through each pooling's backward.
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import { avgPoolAdjointRef, avgPoolRef, maxPoolArgRef, maxPoolRef, poolOutShape, type PoolGeo } from '../reference/pool.js';
import type { TestCase } from './types.js';

const geos: PoolGeo[] = [
  { shape: [2, 3, 4, 4], k: 2, s: 2, p: 0 }, // ConvNet's pooling (2x2, width a multiple of 4: the vector path)
  { shape: [2, 5, 6, 12], k: 2, s: 2, p: 0 }, // the vector path with several quads per row and odd planes
  { shape: [1, 2, 6, 6], k: 2, s: 2, p: 0 }, // 2x2 on a width that is not a multiple of 4 (non-overlapping path)
  { shape: [1, 2, 7, 5], k: 2, s: 2, p: 0 }, // non-overlapping with a leftover row and column
  { shape: [1, 2, 7, 7], k: 3, s: 3, p: 0 }, // non-overlapping, k = 3
  { shape: [1, 2, 7, 5], k: 3, s: 2, p: 1 }, // overlapping, padded
  { shape: [1, 1, 5, 5], k: 3, s: 1, p: 1 },
  { shape: [3, 1, 33, 2], k: 2, s: 2, p: 0 },
  { shape: [1, 3, 6, 9], k: 4, s: 3, p: 2 },
  { shape: [2, 1, 3, 3], k: 1, s: 2, p: 0 }, // subsampling
];

const label = (g: PoolGeo) => `${JSON.stringify(g.shape)} k${g.k} s${g.s} p${g.p}`;

const firstOrder: TestCase[] = geos.flatMap((g) => [
  {
    name: `avgPool2d ${label(g)}`,
    run: () => checkOp({ name: 'avgPool2d', inputs: [{ shape: g.shape }], gpu: ([x]) => E.avgPool2d(x, g.k, g.s, g.p), ref: ([x]) => avgPoolRef(g, x) }),
  },
  {
    name: `maxPool2d ${label(g)}`,
    run: () => checkOp({ name: 'maxPool2d', inputs: [{ shape: g.shape }], gpu: ([x]) => E.maxPool2d(x, g.k, g.s, g.p), ref: ([x]) => maxPoolRef(g, x) }),
  },
]);

// ReLU then 2x2 average pooling as one op (engine/ops/relu-pool.ts): the fused kernels where the width is a
// multiple of 4, the composition elsewhere; values and VJPs against relu-then-pool in float64.
const reluPoolCases: TestCase[] = ([[2, 3, 4, 8], [1, 5, 6, 12], [1, 2, 6, 6]] as const).map((shape) => {
  const g: PoolGeo = { shape: [...shape], k: 2, s: 2, p: 0 };
  return {
    name: `reluAvgPool2d ${label(g)}`,
    run: () =>
      checkOp({
        name: 'reluAvgPool2d',
        inputs: [{ shape: g.shape }],
        gpu: ([x]) => E.reluAvgPool2d(x),
        ref: ([x]) => avgPoolRef(g, x.map((t) => Math.max(t, 0))),
      }),
  };
});

/** Central differences of a scalar CPU function of x. */
function numericGrad(f: (xs: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  return x.map((_, i) => {
    const up = Float64Array.from(x), down = Float64Array.from(x);
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
}

/**
 * d/dx |dL/dθ|^2 with L = sum(v * pool(x * θ)^2), θ per channel (positive, so max windows keep their
 * argmax). dL/dθ_c = sum over channel c of x * P^T(2 v * pool(x θ)): differentiating it in x runs through
 * the pooling's backward and that backward's own backward.
 */
function secondOrder(kind: 'avg' | 'max' | 'reluAvg', g: PoolGeo): TestCase {
  const [n, c, h, w] = g.shape;
  const nx = n * c * h * w;
  const outShape = poolOutShape(g);
  const ny = outShape.reduce((a, b) => a * b, 1);
  const pool = (x: E.Tensor) =>
    kind === 'avg' ? E.avgPool2d(x, g.k, g.s, g.p) : kind === 'max' ? E.maxPool2d(x, g.k, g.s, g.p) : E.reluAvgPool2d(x);
  return {
    name: `second order: d/dx |dL/dθ|^2 through ${kind}Pool2d ${label(g)}`,
    run: async () => {
      const rng = makeRng(21);
      const xv = randomArray(nx, rng), tv = randomArray(c, rng, 0.5, 1.5), vv = randomArray(ny, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), g.shape));
      const theta = E.requireGrad(E.tensor(Float32Array.from(tv), [1, c, 1, 1]));
      const v = E.tensor(Float32Array.from(vv), outShape);
      const dx = E.tidy(() => {
        const [gt] = E.grad(E.sum(E.mul(v, E.square(pool(E.mul(x, theta))))), [theta], { createGraph: true });
        return E.grad(E.sum(E.square(gt)), [x])[0];
      });
      const chan = (i: number) => Math.floor(i / (h * w)) % c;
      const f = (xs: Float64Array) => {
        const scaled = xs.map((xi, i) => xi * tv[chan(i)]);
        const back = new Float64Array(nx);
        if (kind === 'avg') {
          const y = avgPoolRef(g, scaled);
          back.set(avgPoolAdjointRef(g, y.map((yi, o) => 2 * vv[o] * yi)));
        } else if (kind === 'reluAvg') {
          const y = avgPoolRef(g, scaled.map((t) => Math.max(t, 0)));
          back.set(avgPoolAdjointRef(g, y.map((yi, o) => 2 * vv[o] * yi)).map((b, i) => (scaled[i] > 0 ? b : 0)));
        } else {
          maxPoolArgRef(g, scaled).forEach((t, o) => (back[t] += 2 * vv[o] * scaled[t]));
        }
        const gt = new Float64Array(c);
        xs.forEach((xi, i) => (gt[chan(i)] += xi * back[i]));
        return gt.reduce((s, t) => s + t * t, 0);
      };
      const got = await dx.data();
      expectClose(got, numericGrad(f, xv), { atol: 1e-3, rtol: 1e-3 }, `second-order ${kind}-pool gradient`);
      [x, theta, v, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  };
}

/** A window of -inf still has a maximum (the first tap), so the gradient goes somewhere valid. */
const infiniteWindow: TestCase = {
  name: 'maxPool2d: an all -inf window routes its gradient to its first tap',
  run: async () => {
    const ninf = -Infinity;
    const x = E.requireGrad(E.tensor([ninf, ninf, 0.5, -2, ninf, ninf, 3, 1], [1, 1, 2, 4]));
    const y = E.tidy(() => E.maxPool2d(x, 2));
    const [dx] = E.tidy(() => E.grad(y, [x], { gradOutput: E.tensor([5, 7], [1, 1, 1, 2]) }));
    const yv = Array.from(await y.data());
    if (yv[0] !== ninf || yv[1] !== 3) throw new Error(`forward ${yv}, expected [-Infinity, 3]`);
    expectClose(await dx.data(), [5, 0, 0, 0, 0, 0, 7, 0], { atol: 0, rtol: 0 }, 'gradient');
    [x, y, dx].forEach((t) => t.dispose());
  },
};

const errors: TestCase = {
  name: 'pooling: bad rank, window or padding is an error naming the op and shape',
  run: async () => {
    const x = E.zeros([1, 1, 4, 4]);
    const flat = E.zeros([4, 4]);
    const expectThrow = (fn: () => unknown, ...parts: string[]) => {
      let message = '';
      try {
        fn();
      } catch (e) {
        message = (e as Error).message;
      }
      if (!parts.every((p) => message.includes(p))) throw new Error(`expected an error mentioning ${parts.join(', ')}; got '${message}'`);
    };
    expectThrow(() => E.avgPool2d(flat, 2), 'avgPool2d', '[4, 4]');
    expectThrow(() => E.maxPool2d(x, 5), 'maxPool2d', '[1, 1, 4, 4]');
    expectThrow(() => E.maxPool2d(x, 2, 2, 2), 'maxPool2d');
    expectThrow(() => E.avgPool2d(x, 0), 'avgPool2d');
    [x, flat].forEach((t) => t.dispose());
  },
};

export const poolCases: TestCase[] = [
  ...firstOrder,
  ...reluPoolCases,
  secondOrder('avg', { shape: [2, 3, 6, 6], k: 2, s: 2, p: 0 }),
  secondOrder('avg', { shape: [2, 3, 4, 8], k: 2, s: 2, p: 0 }),
  secondOrder('reluAvg', { shape: [2, 3, 4, 8], k: 2, s: 2, p: 0 }),
  secondOrder('reluAvg', { shape: [1, 2, 6, 6], k: 2, s: 2, p: 0 }),
  secondOrder('avg', { shape: [1, 2, 7, 5], k: 3, s: 2, p: 1 }),
  secondOrder('max', { shape: [2, 2, 6, 5], k: 2, s: 2, p: 0 }),
  secondOrder('max', { shape: [1, 2, 7, 5], k: 3, s: 2, p: 1 }),
  infiniteWindow,
  errors,
];
