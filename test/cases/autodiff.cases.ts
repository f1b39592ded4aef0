// Core autodiff behaviour: second order through elementwise ops, accumulation into leaves, noGrad, errors.
import * as E from '../../engine/index.js';
import { expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import type { TestCase } from './types.js';

const tol = { atol: 1e-4, rtol: 1e-4 };

export const autodiffCases: TestCase[] = [
  {
    name: 'second order: d/dx sum((d/dw sum((x*w)^2))^2) = 16 x^3 w^2',
    run: async () => {
      const rng = makeRng(1);
      const xv = randomArray(11, rng), wv = randomArray(11, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv)));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv)));
      const dx = E.tidy(() => {
        const loss = E.sum(E.square(E.mul(x, w)));
        const [gw] = E.grad(loss, [w], { createGraph: true });
        const h = E.sum(E.square(gw));
        return E.grad(h, [x])[0];
      });
      const got = await dx.data();
      expectClose(got, xv.map((xi, i) => 16 * xi ** 3 * wv[i] ** 2), tol, 'second-order gradient');
      [x, w, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  },
  {
    name: 'backward() accumulates into leaf .grad across calls',
    run: async () => {
      const x = E.requireGrad(E.tensor([1, 2, 3]));
      E.tidy(() => E.backward(E.sum(E.mulScalar(x, 3))));
      E.tidy(() => E.backward(E.sum(E.square(x))));
      expectClose(await x.grad!.data(), [3 + 2, 3 + 4, 3 + 6], tol, 'accumulated grad');
      x.dispose();
    },
  },
  {
    name: 'noGrad records nothing; grad of an unrelated input is an error',
    run: async () => {
      const x = E.requireGrad(E.tensor([1, 2]));
      const y = E.noGrad(() => E.mul(x, x));
      if (y.requiresGrad || y.node) throw new Error('noGrad result was recorded');
      const z = E.requireGrad(E.tensor([5]));
      const loss = E.sum(E.square(x));
      let message = '';
      try {
        E.grad(loss, [z]);
      } catch (e) {
        message = (e as Error).message;
      }
      if (!message.includes('does not depend')) throw new Error(`expected a clear error, got '${message}'`);
      [x, y, z, loss].forEach((t) => t.dispose());
    },
  },
  {
    name: 'tidy frees intermediates and keeps results; use after dispose is a clear error',
    run: async () => {
      const before = E.memory().liveBytes;
      const x = E.tensor(new Float32Array(1000).fill(1));
      let inner: E.Tensor | null = null;
      const out = E.tidy(() => {
        inner = E.exp(x);
        return E.mulScalar(inner, 2);
      });
      if (!inner!.isDisposed) throw new Error('intermediate survived tidy');
      let message = '';
      try {
        void inner!.buffer;
      } catch (e) {
        message = (e as Error).message;
      }
      if (!message.includes('after dispose')) throw new Error(`unexpected message '${message}'`);
      out.dispose();
      x.dispose();
      if (E.memory().liveBytes !== before) throw new Error(`live bytes ${E.memory().liveBytes} != ${before}`);
    },
  },
  {
    name: 'tidy keeps the recorded graph of its result alive for grad(); disposing the result frees it',
    run: async () => {
      const x = E.requireGrad(E.tensor([0.5, -1, 2]));
      const before = E.memory().liveBytes;
      // exp's intermediate and the per-step tensors are created and dropped inside tidy
      const y = E.tidy(() => E.sum(E.mul(E.exp(x), E.addScalar(x, 1))));
      const [g] = E.tidy(() => E.grad(y, [x]));
      const xs = [0.5, -1, 2];
      expectClose(await g.data(), xs.map((v) => Math.exp(v) * (v + 2)), tol, 'd/dx sum(exp(x) * (x + 1))');
      g.dispose();
      y.dispose();
      if (E.memory().liveBytes !== before) throw new Error(`leak: live bytes ${E.memory().liveBytes}, expected ${before}`);
      x.dispose();
    },
  },
  ...[0, 0.2].map((slope) => ({
    name: `second order through ${slope ? `leakyRelu(${slope})` : 'relu'}: d/dx |dL/dw|^2 with L = sum(act(x * w) * v), against finite differences`,
    run: async () => {
      const rng = makeRng(12);
      const n = 9;
      const xv = randomArray(n, rng), wv = randomArray(n, rng), vv = randomArray(n, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv)));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv)));
      const v = E.tensor(Float32Array.from(vv));
      const act = (t: E.Tensor) => (slope ? E.leakyRelu(t, slope) : E.relu(t));
      const dx = E.tidy(() => {
        const [gw] = E.grad(E.sum(E.mul(act(E.mul(x, w)), v)), [w], { createGraph: true });
        return E.grad(E.sum(E.square(gw)), [x])[0];
      });
      // dL/dw_i = v_i x_i act'(x_i w_i); f(x) = sum of its squares, differentiated numerically.
      const f = (xs: Float64Array) => xs.reduce((s, xi, i) => s + (vv[i] * xi * (xi * wv[i] > 0 ? 1 : slope)) ** 2, 0);
      const ref = xv.map((_, i) => {
        const a = Float64Array.from(xv), b = Float64Array.from(xv);
        a[i] += 1e-6;
        b[i] -= 1e-6;
        return (f(a) - f(b)) / 2e-6;
      });
      const got = await dx.data();
      expectClose(got, ref, tol, `second-order ${slope ? 'leakyRelu' : 'relu'} gradient`);
      [x, w, v, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  })),
];
