// Nearest and bilinear resizing (both alignCorners) against a float64 CPU reference of PyTorch's rules, at
// integer and non-integer scales up and down, and second order through the resize and its adjoint.
import * as E from '../../engine/index.js';
import { checkOp, expectClose } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import { resizeAdjointRef, resizeRef, type ResizeKind } from '../reference/upsample.js';
import type { TestCase } from './types.js';

type Size = [number, number];

const configs: [number[], Size][] = [
  [[1, 2, 4, 4], [8, 8]], // x2
  [[2, 1, 3, 5], [7, 4]], // non-integer up / down
  [[1, 3, 1, 1], [3, 2]], // from a single pixel
  [[1, 1, 6, 6], [4, 3]], // down
  [[1, 1, 2, 3], [16, 24]], // x8: the adjoint must look far enough back
  [[1, 2, 3, 2], [13, 9]], // x4.33, x4.5
  [[1, 5, 33, 7], [5, 1]], // strong down, to one column; 5 planes (adjoint: 4 per invocation)
  [[2, 1, 4, 4], [4, 4]], // identity
  [[1, 1, 3, 2], [37, 29]], // x12.3, x14.5
  [[1, 2, 8, 8], [32, 32]], // a decoder-sized x4
];

const variants: { kind: ResizeKind; align: boolean; label: string }[] = [
  { kind: 'nearest', align: false, label: 'upsampleNearest' },
  { kind: 'bilinear', align: false, label: 'upsampleBilinear' },
  { kind: 'bilinear', align: true, label: 'upsampleBilinear alignCorners' },
];

function resize(x: E.Tensor, size: Size, kind: ResizeKind, align: boolean): E.Tensor {
  return kind === 'nearest' ? E.upsampleNearest(x, size) : E.upsampleBilinear(x, size, align);
}

const firstOrder: TestCase[] = configs.flatMap(([shape, size]) =>
  variants.map(({ kind, align, label }) => ({
    name: `${label} ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`,
    run: () =>
      checkOp({
        name: label,
        inputs: [{ shape }],
        gpu: ([x]) => resize(x, size, kind, align),
        ref: ([x]) => resizeRef(shape, size, kind, align, x),
      }),
  })),
);

/**
 * L(x, θ) = sum(v * resize(x * θ)^2) with θ per channel; dL/dθ_c = sum over channel c of x * R^T(2 v * u),
 * u = resize(x * θ). d/dx |dL/dθ|^2 runs through the resize's backward (its adjoint) and the adjoint's
 * backward (the resize again).
 */
function secondOrder(kind: ResizeKind, align: boolean, label: string): TestCase {
  const shape = [2, 2, 3, 2];
  const size: Size = [13, 9];
  const [n, c, h, w] = shape;
  const nx = n * c * h * w;
  const ny = n * c * size[0] * size[1];
  return {
    name: `second order: d/dx |dL/dθ|^2 through ${label} ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`,
    run: async () => {
      const rng = makeRng(31);
      const xv = randomArray(nx, rng), tv = randomArray(c, rng, 0.5, 1.5), vv = randomArray(ny, rng);
      const x = E.requireGrad(E.tensor(Float32Array.from(xv), shape));
      const theta = E.requireGrad(E.tensor(Float32Array.from(tv), [1, c, 1, 1]));
      const v = E.tensor(Float32Array.from(vv), [n, c, ...size]);
      const dx = E.tidy(() => {
        const loss = E.sum(E.mul(v, E.square(resize(E.mul(x, theta), size, kind, align))));
        const [gt] = E.grad(loss, [theta], { createGraph: true });
        return E.grad(E.sum(E.square(gt)), [x])[0];
      });
      const plane = h * w;
      const f = (xs: Float64Array) => {
        const scaled = xs.map((xi, i) => xi * tv[Math.floor(i / plane) % c]);
        const u = resizeRef(shape, size, kind, align, scaled);
        const back = resizeAdjointRef(shape, size, kind, align, u.map((ui, i) => 2 * vv[i] * ui));
        const gt = new Float64Array(c);
        xs.forEach((xi, i) => (gt[Math.floor(i / plane) % c] += xi * back[i]));
        return gt.reduce((s, t) => s + t * t, 0);
      };
      const ref = xv.map((_, i) => {
        const up = Float64Array.from(xv), down = Float64Array.from(xv);
        up[i] += 1e-6;
        down[i] -= 1e-6;
        return (f(up) - f(down)) / 2e-6;
      });
      const got = await dx.data();
      expectClose(got, ref, { atol: 1e-3, rtol: 1e-3 }, `second-order ${label} gradient`);
      [x, theta, v, dx].forEach((t) => t.dispose());
      return { dx: Array.from(got) };
    },
  };
}

const errors: TestCase = {
  name: 'upsample: bad input rank or size is an error naming the op',
  run: async () => {
    const x = E.zeros([2, 3, 4]);
    const y = E.zeros([1, 1, 2, 2]);
    const expectThrow = (fn: () => unknown, what: string) => {
      let message = '';
      try {
        fn();
      } catch (e) {
        message = (e as Error).message;
      }
      if (!message.includes(what)) throw new Error(`expected an error mentioning '${what}', got '${message}'`);
    };
    expectThrow(() => E.upsampleNearest(x, [4, 4]), 'upsampleNearest');
    expectThrow(() => E.upsampleBilinear(y, [0, 4]), 'upsampleBilinear');
    expectThrow(() => E.upsampleBilinear(y, [2.5, 4]), 'upsampleBilinear');
    x.dispose();
    y.dispose();
  },
};

export const upsampleCases: TestCase[] = [...firstOrder, ...variants.map((v) => secondOrder(v.kind, v.align, v.label)), errors];
