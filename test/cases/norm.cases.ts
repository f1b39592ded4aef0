// Group / instance norm: forward, both backward paths (fused first-order kernel, and the recorded
// composite used under createGraph) and a second-order case, against float64 CPU references.
import * as E from '../../engine/index.js';
import { checkOp, expectClose, numericVjp } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import { groupNormInputGradRef, groupNormRef } from '../reference/norm.js';
import type { TestCase } from './types.js';

const configs: [number[], number][] = [
  [[2, 4, 3, 5], 4],
  [[2, 6, 4, 4], 3],
  [[1, 3, 7, 7], 1],
  [[3, 2, 1, 1], 2],
  [[1, 5, 33, 2], 5],
  [[2, 4, 4, 8], 2], // planes of a multiple of 4 (the kernels' vec4 path), two channels per group
];

const VARIANTS: E.NormKernelVariant[] = ['serial', 'tree'];

/** Run `fn` with one kernel layout forced (both are checked wherever the tests run), then restore. */
async function withVariant<T>(v: E.NormKernelVariant, fn: () => Promise<T>): Promise<T> {
  const before = E.setNormKernelVariant(v);
  try {
    return await fn();
  } finally {
    E.setNormKernelVariant(before);
  }
}

const gradTol = { atol: 5e-4, rtol: 3e-3 };

const cases: TestCase[] = configs.flatMap(([shape, groups]) => {
  const c = shape[1];
  const name = `groupNorm ${JSON.stringify(shape)} groups ${groups}`;
  return VARIANTS.flatMap((v) => [
    {
      name: `${name} (affine, ${v} kernels)`,
      run: () =>
        withVariant(v, () =>
          checkOp({
            name,
            inputs: [{ shape }, { shape: [c], range: [0.5, 1.5] }, { shape: [c] }],
            gpu: ([x, w, b]) => E.groupNorm(x, groups, w, b),
            ref: ([x, w, b]) => groupNormRef(shape, groups, x, w, b),
            gradTol,
            fdEps: 1e-5,
          }),
        ),
    },
    {
      name: `${name} (no affine, ${v} kernels)`,
      run: () =>
        withVariant(v, () =>
          checkOp({ name, inputs: [{ shape }], gpu: ([x]) => E.groupNorm(x, groups), ref: ([x]) => groupNormRef(shape, groups, x), gradTol, fdEps: 1e-5 }),
        ),
    },
  ]);
});

/** instanceNorm is groupNorm with one group per channel; checked directly once. */
const instance: TestCase = {
  name: 'instanceNorm [2, 3, 5, 3] (affine)',
  run: () =>
    checkOp({
      name: 'instanceNorm',
      inputs: [{ shape: [2, 3, 5, 3] }, { shape: [3], range: [0.5, 1.5] }, { shape: [3] }],
      gpu: ([x, w, b]) => E.instanceNorm(x, w, b),
      ref: ([x, w, b]) => groupNormRef([2, 3, 5, 3], 3, x, w, b),
      gradTol,
      fdEps: 1e-5,
    }),
};

/**
 * Under createGraph the backward rule differentiates the recorded composite instead of running the fused
 * kernel: its first-order values are checked against finite differences of the reference as well.
 */
function recordedPath(shape: number[], groups: number, affine: boolean): TestCase {
  const c = shape[1];
  return {
    name: `groupNorm ${JSON.stringify(shape)} groups ${groups}${affine ? ' (affine)' : ''}: recorded backward (createGraph) vs finite differences`,
    run: async () => {
      const rng = makeRng(5);
      const size = shape.reduce((p, d) => p * d, 1);
      const xs = [randomArray(size, rng), ...(affine ? [randomArray(c, rng, 0.5, 1.5), randomArray(c, rng)] : [])];
      const [x, w, b] = xs.map((a, i) => E.requireGrad(E.tensor(Float32Array.from(a), i === 0 ? shape : [c])));
      const v = randomArray(size, rng);
      const vT = E.tensor(Float32Array.from(v), shape);
      const inputs = affine ? [x, w, b] : [x];
      const recorded = E.tidy(() => E.grad(E.groupNorm(x, groups, w, b), inputs, { gradOutput: vT, createGraph: true }));
      const ref = numericVjp(([xr, wr, br]) => groupNormRef(shape, groups, xr, wr, br), xs, v, xs.map(() => true), 1e-5);
      for (let i = 0; i < inputs.length; i++) expectClose(await recorded[i].data(), ref[i]!, gradTol, `input ${i}`);
      [...recorded, ...inputs, vT].forEach((t) => t.dispose());
    },
  };
}

/** d/dx sum((dL/dw)^2), L = sum(instanceNorm(x, w, b) * v): dL/dw[c] = sum over n,h,w of v * xhat. */
const secondOrder: TestCase = {
  name: 'second order: d/dx |dL/dweight|^2 through instanceNorm',
  run: async () => {
    const rng = makeRng(11);
    const shape = [2, 3, 3, 4];
    const n = 72;
    const xv = randomArray(n, rng), wv = randomArray(3, rng, 0.5, 1.5), bv = randomArray(3, rng), vv = randomArray(n, rng);
    const x = E.requireGrad(E.tensor(Float32Array.from(xv), shape));
    const w = E.requireGrad(E.tensor(Float32Array.from(wv), [3]));
    const b = E.requireGrad(E.tensor(Float32Array.from(bv), [3]));
    const v = E.tensor(Float32Array.from(vv), shape);
    const dx = E.tidy(() => {
      const [gw] = E.grad(E.sum(E.mul(E.instanceNorm(x, w, b), v)), [w], { createGraph: true });
      return E.grad(E.sum(E.square(gw)), [x])[0];
    });
    const f = (xs: Float64Array) => {
      const xhat = groupNormRef(shape, 3, xs);
      const gw = [0, 0, 0];
      for (let i = 0; i < n; i++) gw[Math.floor(i / 12) % 3] += vv[i] * xhat[i];
      return gw.reduce((s, t) => s + t * t, 0);
    };
    const ref = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = xv[i];
      xv[i] = o + 1e-5;
      const up = f(xv);
      xv[i] = o - 1e-5;
      const down = f(xv);
      xv[i] = o;
      ref[i] = (up - down) / 2e-5;
    }
    const got = await dx.data();
    expectClose(got, ref, { atol: 2e-3, rtol: 2e-3 }, 'second-order instance-norm gradient');
    [x, w, b, v, dx].forEach((t) => t.dispose());
    return { dx: Array.from(got) };
  },
};

/**
 * Second order through the input gradient (what gradient matching differentiates): the gradient of
 * sum(u * dx(g, x, weight)) with respect to g, x and weight, where dx is groupNorm's input gradient taken
 * with createGraph. Checked against finite differences of the float64 reference, once through the fused
 * kernel (shaders/norm_grad2.wgsl) and once through the composite twin.
 */
function inputGradSecondOrder(shape: number[], groups: number, affine: boolean, composite: boolean): TestCase {
  const c = shape[1];
  return {
    name: `groupNorm ${JSON.stringify(shape)} groups ${groups}${affine ? ' (affine)' : ''}: second order through the input gradient (${composite ? 'composite twin' : 'fused kernel'}) vs finite differences`,
    run: async () => {
      const rng = makeRng(17);
      const size = shape.reduce((p, d) => p * d, 1);
      // g with a large mean, as loss gradients often have: the kernel must not lose it to cancellation.
      const gv = randomArray(size, rng).map((t) => t + 3);
      const xv = randomArray(size, rng);
      const wv = randomArray(c, rng, 0.5, 1.5);
      const uv = randomArray(size, rng);
      const g = E.requireGrad(E.tensor(Float32Array.from(gv), shape));
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), shape));
      const w = E.requireGrad(E.tensor(Float32Array.from(wv), [c]));
      const b = E.requireGrad(E.zeros([c]));
      const u = E.tensor(Float32Array.from(uv), shape);
      const inputs = affine ? [g, x, w] : [g, x];
      const before = E.setNormSecondOrderComposite(composite);
      const got = E.tidy(() => {
        const [dx] = E.grad(affine ? E.groupNorm(x, groups, w, b) : E.groupNorm(x, groups), [x], { gradOutput: g, createGraph: true });
        return E.grad(dx, inputs, { gradOutput: u, allowUnused: true });
      });
      E.setNormSecondOrderComposite(before);
      const xs = [Float64Array.from(gv), Float64Array.from(xv), Float64Array.from(wv)].slice(0, inputs.length);
      const f = ([gr, xr, wr]: Float64Array[]) => groupNormInputGradRef(shape, groups, xr, gr, affine ? wr : undefined);
      const ref = numericVjp(f, xs, uv, xs.map(() => true), 1e-5);
      for (let i = 0; i < inputs.length; i++) expectClose(await got[i].data(), ref[i]!, { atol: 1e-3, rtol: 1e-3 }, ['d/dg', 'd/dx', 'd/dweight'][i]);
      [...got, g, x, w, b, u].forEach((t) => t.dispose());
    },
  };
}

export const normCases: TestCase[] = [
  ...[false, true].flatMap((composite) => [
    inputGradSecondOrder([2, 3, 4, 5], 3, true, composite),
    inputGradSecondOrder([2, 6, 3, 3], 2, true, composite),
    inputGradSecondOrder([1, 4, 5, 3], 4, false, composite),
    inputGradSecondOrder([2, 4, 2, 8], 2, true, composite),
  ]),
  ...cases,
  instance,
  recordedPath([2, 3, 4, 5], 3, true),
  recordedPath([2, 6, 3, 4], 2, true),
  recordedPath([1, 4, 5, 3], 4, false),
  secondOrder,
];
