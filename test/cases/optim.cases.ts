// SGD (momentum, weight decay, nesterov) and Adam against float64 CPU implementations of PyTorch's
// update formulas over several steps with changing gradients; LR schedules against their formulas.
import * as E from '../../engine/index.js';
import { expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import type { TestCase } from './types.js';

const STEPS = 4;
const N = 37;

function sgdRef(p: Float64Array, grads: Float64Array[], lr: number, momentum: number, wd: number, nesterov: boolean): Float64Array {
  const x = Float64Array.from(p);
  let buf: Float64Array | null = null;
  for (const g of grads) {
    const d = x.map((v, i) => g[i] + wd * v);
    if (momentum > 0) {
      buf = buf ? buf.map((b, i) => momentum * b + d[i]) : Float64Array.from(d);
      const upd = nesterov ? d.map((v, i) => v + momentum * buf![i]) : buf;
      x.forEach((_, i) => (x[i] -= lr * upd[i]));
    } else x.forEach((_, i) => (x[i] -= lr * d[i]));
  }
  return x;
}

function adamRef(p: Float64Array, grads: Float64Array[], lr: number, b1: number, b2: number, eps: number, wd: number): Float64Array {
  const x = Float64Array.from(p);
  const m = new Float64Array(p.length), v = new Float64Array(p.length);
  grads.forEach((gr, t) => {
    for (let i = 0; i < x.length; i++) {
      const g = gr[i] + wd * x[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      x[i] -= (lr * (m[i] / (1 - b1 ** (t + 1)))) / (Math.sqrt(v[i] / (1 - b2 ** (t + 1))) + eps);
    }
  });
  return x;
}

async function runSteps(make: (p: E.Tensor) => { step(): void; dispose(): void }, p0: Float64Array, grads: Float64Array[]): Promise<Float32Array> {
  const p = E.parameter(Float32Array.from(p0), [N]);
  const opt = make(p);
  for (const g of grads) {
    p.grad?.dispose();
    p.grad = E.keep(E.tensor(Float32Array.from(g), [N]));
    opt.step();
  }
  const out = await p.floats();
  opt.dispose();
  p.dispose();
  return out;
}

const tol = { atol: 1e-5, rtol: 1e-4 };

export const optimCases: TestCase[] = [
  ...([[0, 0, false], [0.9, 0, false], [0.9, 5e-4, false], [0.9, 1e-2, true]] as [number, number, boolean][]).map(([momentum, wd, nesterov]) => ({
    name: `SGD momentum ${momentum} weight decay ${wd}${nesterov ? ' nesterov' : ''}`,
    run: async () => {
      const rng = makeRng(4);
      const p0 = randomArray(N, rng);
      const grads = Array.from({ length: STEPS }, () => randomArray(N, rng));
      const got = await runSteps((p) => new E.SGD([p], { lr: 0.1, momentum, weightDecay: wd, nesterov }), p0, grads);
      expectClose(got, sgdRef(p0, grads, 0.1, momentum, wd, nesterov), tol, 'SGD parameters');
      return { p: Array.from(got) };
    },
  })),
  ...([[0], [0.01]] as number[][]).map(([wd]) => ({
    name: `Adam weight decay ${wd}`,
    run: async () => {
      const rng = makeRng(8);
      const p0 = randomArray(N, rng);
      const grads = Array.from({ length: STEPS }, () => randomArray(N, rng));
      const got = await runSteps((p) => new E.Adam([p], { lr: 0.01, weightDecay: wd }), p0, grads);
      expectClose(got, adamRef(p0, grads, 0.01, 0.9, 0.999, 1e-8, wd), tol, 'Adam parameters');
      return { p: Array.from(got) };
    },
  })),
  {
    name: 'optimizer state round-trips: a restored Adam continues exactly',
    run: async () => {
      const rng = makeRng(9);
      const p0 = Float32Array.from(randomArray(N, rng));
      const grads = Array.from({ length: 4 }, () => Float32Array.from(randomArray(N, rng)));
      const setGrad = (p: E.Tensor, g: Float32Array) => {
        p.grad?.dispose();
        p.grad = E.keep(E.tensor(g, [N]));
      };
      const a = E.parameter(p0, [N]);
      const optA = new E.Adam([a], { lr: 0.01 });
      grads.slice(0, 2).forEach((g) => (setGrad(a, g), optA.step()));
      const saved = await optA.state();
      const b = E.parameter(await a.floats(), [N]);
      const optB = new E.Adam([b], { lr: 0.01 });
      optB.loadState(saved);
      for (const g of grads.slice(2)) {
        setGrad(a, g);
        optA.step();
        setGrad(b, g);
        optB.step();
      }
      expectClose(await b.floats(), await a.floats(), { atol: 0, rtol: 0 }, 'resumed Adam');
      [optA, optB, a, b].forEach((x) => x.dispose());
    },
  },
  {
    name: 'cosine and step schedules',
    run: async () => {
      expectClose([0, 25, 50, 100].map((s) => E.cosineLR(0.1, s, 100)), [0.1, 0.1 * (1 + Math.cos(Math.PI / 4)) / 2, 0.05, 0], { atol: 1e-12, rtol: 0 }, 'cosine');
      expectClose([0, 9, 10, 25].map((s) => E.stepLR(1, s, 10, 0.5)), [1, 1, 0.5, 0.25], { atol: 1e-12, rtol: 0 }, 'step');
    },
  },
];
