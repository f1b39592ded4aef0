// Softmax family and losses against float64 CPU references, plus second order through cross-entropy.
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import type { TestCase } from './types.js';

function rowsOf(x: ArrayLike<number>, n: number, c: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: c }, (_, j) => x[i * c + j]));
}
function logSoftmaxRow(r: number[]): number[] {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
}
const labelsFor = (n: number, c: number) => Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % c);

/** Mean cross-entropy of a linear model x W^T with labels, and dL/dW, on the CPU. */
function ceLinear(x: number[][], w: number[][], labels: Int32Array): { loss: number; dW: number[][] } {
  const n = x.length, c = w.length, d = x[0].length;
  const dW = w.map((r) => r.map(() => 0));
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const logits = w.map((wr) => wr.reduce((s, v, k) => s + v * x[i][k], 0));
    const ls = logSoftmaxRow(logits);
    loss -= ls[labels[i]] / n;
    for (let j = 0; j < c; j++) {
      const g = (Math.exp(ls[j]) - (j === labels[i] ? 1 : 0)) / n;
      for (let k = 0; k < d; k++) dW[j][k] += g * x[i][k];
    }
  }
  return { loss, dW };
}

const shapes: [number, number][] = [[1, 1], [3, 7], [5, 10], [2, 33]];

export const lossCases: TestCase[] = [
  ...shapes.flatMap(([n, c]) => [
    {
      name: `logSoftmax [${n}, ${c}]`,
      run: () => checkOp({ name: 'logSoftmax', inputs: [{ shape: [n, c], range: [-3, 3] }], gpu: ([x]) => E.logSoftmax(x), ref: ([x]) => rowsOf(x, n, c).flatMap(logSoftmaxRow) }),
    },
    {
      name: `softmax [${n}, ${c}] over axis 0`,
      run: () =>
        checkOp({
          name: 'softmax',
          inputs: [{ shape: [n, c], range: [-3, 3] }],
          gpu: ([x]) => E.softmax(x, 0),
          ref: ([x]) => {
            const out = new Float64Array(n * c);
            for (let j = 0; j < c; j++) {
              const col = logSoftmaxRow(Array.from({ length: n }, (_, i) => x[i * c + j]));
              col.forEach((v, i) => (out[i * c + j] = Math.exp(v)));
            }
            return out;
          },
        }),
    },
    {
      name: `crossEntropy [${n}, ${c}] integer labels`,
      run: () => {
        const labels = labelsFor(n, c);
        return checkOp({
          name: 'crossEntropy',
          inputs: [{ shape: [n, c], range: [-3, 3] }, { shape: [n], data: labels, int: true }],
          gpu: ([x, y]) => E.crossEntropy(x, y),
          ref: ([x]) => [rowsOf(x, n, c).reduce((s, r, i) => s - logSoftmaxRow(r)[labels[i]], 0) / n],
        });
      },
    },
    {
      name: `crossEntropy [${n}, ${c}] soft targets, sum`,
      run: () =>
        checkOp({
          name: 'crossEntropy soft',
          inputs: [{ shape: [n, c], range: [-3, 3] }, { shape: [n, c], range: [0, 1] }],
          gpu: ([x, t]) => E.crossEntropy(x, t, 'sum'),
          ref: ([x, t]) => [rowsOf(x, n, c).reduce((s, r, i) => s - logSoftmaxRow(r).reduce((a, l, j) => a + l * t[i * c + j], 0), 0)],
        }),
    },
  ]),
  ...([[4], [3, 5], [2, 3, 4]] as number[][]).flatMap((shape) => [
    {
      name: `mseLoss ${JSON.stringify(shape)}`,
      run: () => checkOp({ name: 'mse', inputs: [{ shape }, { shape }], gpu: ([a, b]) => E.mseLoss(a, b), ref: ([a, b]) => [a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length] }),
    },
    {
      name: `l1Loss ${JSON.stringify(shape)}`,
      run: () => checkOp({ name: 'l1', inputs: [{ shape }, { shape }], gpu: ([a, b]) => E.l1Loss(a, b, 'sum'), ref: ([a, b]) => [a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0)] }),
    },
    {
      name: `cosineDistancePerChannel ${JSON.stringify(shape)}`,
      run: () =>
        checkOp({
          name: 'cosine',
          inputs: [{ shape }, { shape }],
          gpu: ([a, b]) => E.cosineDistancePerChannel(a, b),
          ref: ([a, b]) => {
            const rows = shape[0], per = a.length / rows;
            let s = 0;
            for (let r = 0; r < rows; r++) {
              let dot = 0, na = 0, nb = 0;
              for (let k = 0; k < per; k++) {
                dot += a[r * per + k] * b[r * per + k];
                na += a[r * per + k] ** 2;
                nb += b[r * per + k] ** 2;
              }
              s += 1 - dot / (Math.sqrt(na) * Math.sqrt(nb) + 1e-6);
            }
            return [s];
          },
        }),
    },
  ]),
  {
    name: 'second order: d/dx |dCE/dW|^2 for cross-entropy of a linear model',
    run: async () => {
      const rng = makeRng(3);
      const [n, d, c] = [4, 5, 3];
      const xv = randomArray(n * d, rng), wv = randomArray(c * d, rng);
      const labels = labelsFor(n, c);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), [n, d]));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv), [c, d]));
      const y = E.tensor(labels, [n], 'i32');
      const dx = E.tidy(() => {
        const [gw] = E.grad(E.crossEntropy(E.linear(x, w), y), [w], { createGraph: true });
        return E.grad(E.sum(E.square(gw)), [x])[0];
      });
      const W = rowsOf(wv, c, d);
      const f = (xs: Float64Array) => ceLinear(rowsOf(xs, n, d), W, labels).dW.flat().reduce((s, v) => s + v * v, 0);
      const ref = new Float64Array(xv.length);
      for (let i = 0; i < xv.length; i++) {
        const o = xv[i];
        xv[i] = o + 1e-6;
        const up = f(xv);
        xv[i] = o - 1e-6;
        const down = f(xv);
        xv[i] = o;
        ref[i] = (up - down) / 2e-6;
      }
      const got = await dx.data();
      expectClose(got, ref, { atol: 1e-4, rtol: 1e-3 }, 'second-order cross-entropy gradient');
      [x, w, y, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  },
];
