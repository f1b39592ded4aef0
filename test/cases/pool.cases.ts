// Average and max pooling against float64 CPU references, and second order through avg-pool.
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import type { TestCase } from './types.js';

type Geo = { shape: number[]; k: number; s: number; p: number };

function windows(g: Geo, visit: (plane: number, o: number, taps: number[]) => void): number[] {
  const [n, c, h, w] = g.shape;
  const ho = Math.floor((h + 2 * g.p - g.k) / g.s) + 1, wo = Math.floor((w + 2 * g.p - g.k) / g.s) + 1;
  for (let pl = 0; pl < n * c; pl++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    const taps: number[] = [];
    for (let dy = 0; dy < g.k; dy++) for (let dx = 0; dx < g.k; dx++) {
      const y = oy * g.s - g.p + dy, x = ox * g.s - g.p + dx;
      if (y >= 0 && x >= 0 && y < h && x < w) taps.push(pl * h * w + y * w + x);
    }
    visit(pl, (pl * ho + oy) * wo + ox, taps);
  }
  return [n, c, ho, wo];
}

const avgRef = (g: Geo) => ([x]: Float64Array[]) => {
  const out: number[] = [];
  windows(g, (_, o, taps) => (out[o] = taps.reduce((s, t) => s + x[t], 0) / (g.k * g.k)));
  return out;
};
const maxRef = (g: Geo) => ([x]: Float64Array[]) => {
  const out: number[] = [];
  windows(g, (_, o, taps) => (out[o] = Math.max(...taps.map((t) => x[t]))));
  return out;
};

const geos: Geo[] = [
  { shape: [2, 3, 4, 4], k: 2, s: 2, p: 0 },
  { shape: [1, 2, 7, 5], k: 3, s: 2, p: 1 },
  { shape: [1, 1, 5, 5], k: 3, s: 1, p: 1 },
  { shape: [3, 1, 33, 2], k: 2, s: 2, p: 0 },
];

const label = (g: Geo) => `${JSON.stringify(g.shape)} k${g.k} s${g.s} p${g.p}`;

export const poolCases: TestCase[] = [
  ...geos.flatMap((g) => [
    { name: `avgPool2d ${label(g)}`, run: () => checkOp({ name: 'avgPool2d', inputs: [{ shape: g.shape }], gpu: ([x]) => E.avgPool2d(x, g.k, g.s, g.p), ref: avgRef(g) }) },
    { name: `maxPool2d ${label(g)}`, run: () => checkOp({ name: 'maxPool2d', inputs: [{ shape: g.shape }], gpu: ([x]) => E.maxPool2d(x, g.k, g.s, g.p), ref: maxRef(g) }) },
  ]),
  {
    name: 'second order: d/dx |dL/dw|^2 with L = <avgPool2d(x * w), v> (w per channel)',
    run: async () => {
      const g: Geo = { shape: [2, 3, 6, 6], k: 2, s: 2, p: 0 };
      const rng = makeRng(21);
      const xv = randomArray(216, rng), wv = randomArray(3, rng), vv = randomArray(54, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), g.shape));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv), [1, 3, 1, 1]));
      const v = E.tensor(Float32Array.from(vv), [2, 3, 3, 3]);
      const dx = E.tidy(() => {
        const [gw] = E.grad(E.sum(E.mul(E.avgPool2d(E.mul(x, w), 2), v)), [w], { createGraph: true });
        return E.grad(E.sum(E.square(gw)), [x])[0];
      });
      // dL/dw[c] = sum over the channel of x * (avg-pool adjoint of v).
      const adjV = new Float64Array(216);
      windows(g, (_, o, taps) => taps.forEach((t) => (adjV[t] += vv[o] / 4)));
      const f = (xs: Float64Array) => {
        const gw = [0, 0, 0];
        xs.forEach((xi, i) => (gw[Math.floor(i / 36) % 3] += xi * adjV[i]));
        return gw.reduce((s, t) => s + t * t, 0);
      };
      const ref = xv.map((_, i) => {
        const a = Float64Array.from(xv), b = Float64Array.from(xv);
        a[i] += 1e-6;
        b[i] -= 1e-6;
        return (f(a) - f(b)) / 2e-6;
      });
      const got = await dx.data();
      expectClose(got, ref, { atol: 1e-4, rtol: 1e-3 }, 'second-order avg-pool gradient');
      [x, w, v, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  },
];
