// Softmax family and losses against float64 CPU references (every reduction), the cosine distance's
// all-zero rows, and second order: through cross-entropy, and a whole gradient-matching step
// (d/dx of the cosine distance between a fixed gradient and dCE/dW(x)).
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import {
  ceLinearRef,
  cosineDistanceGradRef,
  cosineDistanceRef,
  crossEntropyRef,
  l1Ref,
  logSoftmaxRef,
  mseRef,
  type Reduction,
} from '../reference/loss.js';
import type { TestCase } from './types.js';

const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];
const labelsFor = (n: number, c: number) => Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % c);

const softmaxCases: TestCase[] = ([
  [[1, 1], -1],
  [[3, 7], -1],
  [[2, 33], 1],
  [[5, 10], 0],
  [[2, 3, 4], 1],
  [[2, 3, 4], 0],
] as [number[], number][]).flatMap(([shape, axis]) => [
  {
    name: `logSoftmax ${JSON.stringify(shape)} axis ${axis}`,
    run: () => checkOp({ name: 'logSoftmax', inputs: [{ shape, range: [-3, 3] }], gpu: ([x]) => E.logSoftmax(x, axis), ref: ([x]) => logSoftmaxRef(shape, axis, x) }),
  },
  {
    name: `softmax ${JSON.stringify(shape)} axis ${axis}`,
    run: () =>
      checkOp({ name: 'softmax', inputs: [{ shape, range: [-3, 3] }], gpu: ([x]) => E.softmax(x, axis), ref: ([x]) => logSoftmaxRef(shape, axis, x).map(Math.exp) }),
  },
]);

/** Large logits: the shift by the row maximum keeps everything finite. */
const stability: TestCase = {
  name: 'logSoftmax and crossEntropy stay finite for logits around ±80',
  run: () =>
    checkOp({
      name: 'crossEntropy large',
      inputs: [{ shape: [3, 4], range: [-80, 80] }, { shape: [3], data: labelsFor(3, 4), int: true }],
      gpu: ([x, y]) => E.crossEntropy(x, y, 'sum'),
      ref: ([x]) => crossEntropyRef(3, 4, x, { labels: labelsFor(3, 4) }, 'sum'),
      tol: { atol: 1e-4, rtol: 1e-5 },
      fdEps: 1e-4,
    }),
};

const crossEntropyCases: TestCase[] = ([[1, 1], [3, 7], [5, 10], [2, 33]] as [number, number][]).flatMap(([n, c]) =>
  REDUCTIONS.flatMap((reduction) => [
    {
      name: `crossEntropy [${n}, ${c}] integer labels, ${reduction}`,
      run: () => {
        const labels = labelsFor(n, c);
        return checkOp({
          name: `crossEntropy ${reduction}`,
          inputs: [{ shape: [n, c], range: [-3, 3] }, { shape: [n], data: labels, int: true }],
          gpu: ([x, y]) => E.crossEntropy(x, y, reduction),
          ref: ([x]) => crossEntropyRef(n, c, x, { labels }, reduction),
        });
      },
    },
    {
      name: `crossEntropy [${n}, ${c}] soft targets, ${reduction}`,
      run: () =>
        checkOp({
          name: `crossEntropy soft ${reduction}`,
          inputs: [{ shape: [n, c], range: [-3, 3] }, { shape: [n, c], range: [0, 1] }],
          gpu: ([x, t]) => E.crossEntropy(x, t, reduction),
          ref: ([x, t]) => crossEntropyRef(n, c, x, { soft: t }, reduction),
        }),
    },
  ]),
);

const oneHotCase: TestCase = {
  name: 'oneHot: rows of the labels, out-of-range labels give zero rows',
  run: async () => {
    const labels = E.tensor(Int32Array.from([2, 0, 5, 1, -1]), [5], 'i32');
    const h = E.oneHot(labels, 3);
    const got = await h.data();
    expectClose(got, [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], { atol: 0, rtol: 0 }, 'oneHot');
    [labels, h].forEach((t) => t.dispose());
    return { h: Array.from(got) };
  },
};

const pointwiseCases: TestCase[] = ([[4], [3, 5], [2, 3, 4]] as number[][]).flatMap((shape) =>
  REDUCTIONS.flatMap((reduction) => [
    {
      name: `mseLoss ${JSON.stringify(shape)} ${reduction}`,
      run: () => checkOp({ name: `mse ${reduction}`, inputs: [{ shape }, { shape }], gpu: ([a, b]) => E.mseLoss(a, b, reduction), ref: ([a, b]) => mseRef(a, b, reduction) }),
    },
    {
      name: `l1Loss ${JSON.stringify(shape)} ${reduction}`,
      run: () => checkOp({ name: `l1 ${reduction}`, inputs: [{ shape }, { shape }], gpu: ([a, b]) => E.l1Loss(a, b, reduction), ref: ([a, b]) => l1Ref(a, b, reduction) }),
    },
  ]),
);

const cosineCases: TestCase[] = ([[4], [3, 5], [2, 3, 4], [4, 3, 3, 3], [1, 33]] as number[][]).map((shape) => ({
  name: `cosineDistancePerChannel ${JSON.stringify(shape)}`,
  run: () =>
    checkOp({
      name: 'cosine',
      inputs: [{ shape }, { shape }],
      gpu: ([a, b]) => E.cosineDistancePerChannel(a, b),
      ref: ([a, b]) => [cosineDistanceRef(shape[0], a, b)],
    }),
}));

/** A ReLU-dead channel has an exactly zero gradient row: the distance and its gradients must stay finite. */
const cosineZeroRows: TestCase = {
  name: 'cosineDistancePerChannel with all-zero rows: finite value and gradients (torch.norm semantics)',
  run: async () => {
    const rng = makeRng(9);
    const [rows, per] = [3, 4];
    const av = randomArray(rows * per, rng), bv = randomArray(rows * per, rng);
    av.fill(0, 0, per); // row 0 of a is zero
    bv.fill(0, 2 * per); // row 2 of b is zero
    const a = E.requireGrad(E.tensor(Float32Array.from(av), [rows, per]));
    const b = E.requireGrad(E.tensor(Float32Array.from(bv), [rows, per]));
    const d = E.tidy(() => E.cosineDistancePerChannel(a, b));
    const [ga, gb] = E.tidy(() => E.grad(d, [a, b]));
    const tol = { atol: 1e-4, rtol: 1e-4 };
    expectClose(await d.data(), [cosineDistanceRef(rows, av, bv)], tol, 'distance');
    expectClose(await ga.data(), cosineDistanceGradRef(rows, av, bv), tol, 'd/da');
    expectClose(await gb.data(), cosineDistanceGradRef(rows, bv, av), tol, 'd/db');
    const out = { ga: Array.from(await ga.data()), gb: Array.from(await gb.data()) };
    [a, b, d, ga, gb].forEach((t) => t.dispose());
    return out;
  },
};

const errors: TestCase = {
  name: 'losses: mismatched shapes are errors naming the op and the shapes',
  run: async () => {
    const x = E.zeros([2, 3]);
    const y = E.zeros([3]);
    const labels = E.tensor(Int32Array.from([0, 1, 2]), [3], 'i32');
    const expectThrow = (fn: () => unknown, ...parts: string[]) => {
      let message = '';
      try {
        fn();
      } catch (e) {
        message = (e as Error).message;
      }
      if (!parts.every((p) => message.includes(p))) throw new Error(`expected an error mentioning ${parts.join(', ')}; got '${message}'`);
    };
    expectThrow(() => E.crossEntropy(x, labels), 'crossEntropy', '[3]', '[2, 3]');
    expectThrow(() => E.crossEntropy(y, labels), 'crossEntropy', '[3]');
    expectThrow(() => E.mseLoss(x, y), 'mseLoss', '[2, 3]', '[3]');
    expectThrow(() => E.l1Loss(x, y), 'l1Loss', '[2, 3]', '[3]');
    expectThrow(() => E.cosineDistancePerChannel(x, y), 'cosineDistancePerChannel', '[2, 3]', '[3]');
    expectThrow(() => E.oneHot(y, 3), 'oneHot');
    [x, y, labels].forEach((t) => t.dispose());
  },
};

/** Central differences of a scalar CPU function of x. */
function numericGrad(f: (xs: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  return x.map((_, i) => {
    const up = Float64Array.from(x), down = Float64Array.from(x);
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
}

/** x [n, d], W [c, d] and labels for the linear-model second-order cases. */
function linearSetup(seed: number, n: number, d: number, c: number) {
  const rng = makeRng(seed);
  const xv = randomArray(n * d, rng), wv = randomArray(c * d, rng);
  const labels = labelsFor(n, c);
  const x = E.requireGrad(E.tensor(Float32Array.from(xv), [n, d]));
  const w = E.requireGrad(E.tensor(Float32Array.from(wv), [c, d]));
  const y = E.tensor(labels, [n], 'i32');
  return { rng, xv, wv, labels, x, w, y };
}

const secondOrderCE: TestCase = {
  name: 'second order: d/dx |dCE/dW|^2 for cross-entropy of a linear model',
  run: async () => {
    const [n, d, c] = [4, 5, 3];
    const { xv, wv, labels, x, w, y } = linearSetup(3, n, d, c);
    const dx = E.tidy(() => {
      const [gw] = E.grad(E.crossEntropy(E.linear(x, w), y), [w], { createGraph: true });
      return E.grad(E.sum(E.square(gw)), [x])[0];
    });
    const f = (xs: Float64Array) => ceLinearRef(n, d, c, xs, wv, labels).dW.reduce((s, v) => s + v * v, 0);
    const got = await dx.data();
    expectClose(got, numericGrad(f, xv), { atol: 1e-4, rtol: 1e-3 }, 'second-order cross-entropy gradient');
    [x, w, y, dx].forEach((t) => t.dispose());
    return { dx: Array.from(got) };
  },
};

/** Gradient matching in miniature: D(x) = cosine(G, dCE(x W^T, y)/dW), differentiated in the data x. */
const secondOrderMatching: TestCase = {
  name: 'second order: d/dx cosineDistancePerChannel(G, dCE/dW(x)) (gradient matching)',
  run: async () => {
    const [n, d, c] = [6, 4, 3];
    const { rng, xv, wv, labels, x, w, y } = linearSetup(17, n, d, c);
    const gv = randomArray(c * d, rng);
    const target = E.tensor(Float32Array.from(gv), [c, d]);
    const dx = E.tidy(() => {
      const [gw] = E.grad(E.crossEntropy(E.linear(x, w), y), [w], { createGraph: true });
      return E.grad(E.cosineDistancePerChannel(target, gw), [x])[0];
    });
    const f = (xs: Float64Array) => cosineDistanceRef(c, gv, ceLinearRef(n, d, c, xs, wv, labels).dW);
    const got = await dx.data();
    expectClose(got, numericGrad(f, xv), { atol: 1e-4, rtol: 1e-3 }, 'gradient-matching data gradient');
    [x, w, y, target, dx].forEach((t) => t.dispose());
    return { dx: Array.from(got) };
  },
};

export const lossCases: TestCase[] = [
  ...softmaxCases,
  stability,
  ...crossEntropyCases,
  oneHotCase,
  ...pointwiseCases,
  ...cosineCases,
  cosineZeroRows,
  errors,
  secondOrderCE,
  secondOrderMatching,
];
