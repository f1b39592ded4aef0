// conv2d, its backward kernels (through the VJP checks and as ops of their own), conv-transpose and a
// second-order case, against float64 CPU references.
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import { conv2dRef, conv2dWeightGradRef, convTranspose2dRef, outSize, type ConvGeo } from '../reference/conv.js';
import type { TestCase } from './types.js';

const geos: ConvGeo[] = [
  { n: 2, c: 3, h: 7, w: 5, o: 4, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 2, c: 5, h: 9, w: 8, o: 3, kh: 3, kw: 3, stride: 2, pad: 1 },
  { n: 1, c: 2, h: 6, w: 7, o: 33, kh: 5, kw: 5, stride: 1, pad: 2 },
  { n: 3, c: 4, h: 5, w: 5, o: 2, kh: 3, kw: 1, stride: 2, pad: 0 },
  { n: 1, c: 17, h: 4, w: 4, o: 18, kh: 3, kw: 3, stride: 1, pad: 1 },
];

const label = (g: ConvGeo) => `x[${g.n},${g.c},${g.h},${g.w}] w[${g.o},${g.c},${g.kh},${g.kw}] s${g.stride} p${g.pad}`;
const tol = { atol: 1e-4, rtol: 1e-4 };
const gradTol = { atol: 3e-4, rtol: 2e-3 };

const forward: TestCase[] = geos.flatMap((g) => [
  {
    name: `conv2d ${label(g)}`,
    run: () =>
      checkOp({
        name: 'conv2d',
        inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.o, g.c, g.kh, g.kw] }, { shape: [g.o] }],
        gpu: ([x, w, b]) => E.conv2d(x, w, b, { stride: g.stride, padding: g.pad }),
        ref: ([x, w, b]) => conv2dRef(g, x, w, b),
        tol,
        gradTol,
      }),
  },
  {
    // backward-weight as an op of its own: its VJP exercises backward-data and conv2d as its gradients.
    name: `conv2dBackwardWeight ${label(g)}`,
    run: () => {
      const [ho, wo] = outSize(g);
      return checkOp({
        name: 'conv2dBackwardWeight',
        inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.n, g.o, ho, wo] }],
        gpu: ([x, gy]) => E.conv2dBackwardWeight(x, gy, [g.o, g.c, g.kh, g.kw], { stride: g.stride, padding: g.pad }),
        ref: ([x, gy]) => conv2dWeightGradRef(g, x, gy),
        tol,
        gradTol,
      });
    },
  },
]);

const transposed: TestCase[] = [
  [2, 3, 4, 5, 4, 3, 3, 2, 1, 1],
  [1, 2, 3, 3, 5, 4, 4, 2, 1, 0],
  [1, 1, 5, 4, 2, 3, 3, 1, 0, 0],
].map(([n, cin, h, w, cout, kh, kw, s, p, op]) => ({
  name: `convTranspose2d x[${n},${cin},${h},${w}] w[${cin},${cout},${kh},${kw}] s${s} p${p} op${op}`,
  run: () =>
    checkOp({
      name: 'convTranspose2d',
      inputs: [{ shape: [n, cin, h, w] }, { shape: [cin, cout, kh, kw] }, { shape: [cout] }],
      gpu: ([x, wt, b]) => E.convTranspose2d(x, wt, b, { stride: s, padding: p, outputPadding: op }),
      ref: ([x, wt, b]) => convTranspose2dRef(n, cin, h, w, cout, kh, kw, s, p, op, x, wt, b),
      tol,
      gradTol,
    }),
}));

/** d/dx sum((dL/dW)^2) with L = <conv2d(x, W), v>: second order through backward-weight. */
function secondOrder(g: ConvGeo): TestCase {
  return {
    name: `second order: d/dx |dL/dW|^2 for conv2d ${label(g)}`,
    run: async () => {
      const rng = makeRng(99);
      const [ho, wo] = outSize(g);
      const xv = randomArray(g.n * g.c * g.h * g.w, rng);
      const wv = randomArray(g.o * g.c * g.kh * g.kw, rng);
      const vv = randomArray(g.n * g.o * ho * wo, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), [g.n, g.c, g.h, g.w]));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv), [g.o, g.c, g.kh, g.kw]));
      const v = E.tensor(Float32Array.from(vv), [g.n, g.o, ho, wo]);
      const dx = E.tidy(() => {
        const L = E.sum(E.mul(E.conv2d(x, w, undefined, { stride: g.stride, padding: g.pad }), v));
        const [gw] = E.grad(L, [w], { createGraph: true });
        return E.grad(E.sum(E.square(gw)), [x])[0];
      });
      const f = (xs: Float64Array) => conv2dWeightGradRef(g, xs, vv).reduce((s, t) => s + t * t, 0);
      const ref = new Float64Array(xv.length);
      const eps = 1e-5;
      for (let i = 0; i < xv.length; i++) {
        const o = xv[i];
        xv[i] = o + eps;
        const up = f(xv);
        xv[i] = o - eps;
        const down = f(xv);
        xv[i] = o;
        ref[i] = (up - down) / (2 * eps);
      }
      const got = await dx.data();
      expectClose(got, ref, { atol: 1e-3, rtol: 1e-3 }, 'second-order conv gradient');
      [x, w, v, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  };
}

export const convCases: TestCase[] = [
  ...forward,
  ...transposed,
  secondOrder(geos[0]),
  secondOrder(geos[2]),
  {
    name: 'conv2d rejects a channel mismatch with both shapes in the message',
    run: async () => {
      const x = E.zeros([1, 3, 5, 5]);
      const w = E.zeros([4, 2, 3, 3]);
      let msg = '';
      try {
        E.conv2d(x, w);
      } catch (e) {
        msg = (e as Error).message;
      }
      x.dispose();
      w.dispose();
      if (!msg.includes('[1, 3, 5, 5]') || !msg.includes('[4, 2, 3, 3]')) throw new Error(`unexpected message: ${msg}`);
    },
  },
];
