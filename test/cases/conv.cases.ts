// conv2d, its backward kernels (through the VJP checks and as ops of their own), conv-transpose and a
// second-order case, against float64 CPU references. Every check runs on both kernel families: the direct
// kernels and the packed, tiled ones (forced with convKernels.mode, since 'auto' would pick direct for
// these small shapes); medium shapes check the tiles' edges against the references without finite
// differences.
import * as E from '../../engine/index.js';
import { checkOp, expectClose, type Digest } from '../helpers/check.js';
import { makeRng, randomArray } from '../helpers/rng.js';
import { conv2dRef, conv2dWeightGradRef, conv2dDataGradRef, convTranspose2dRef, outSize, type ConvGeo } from '../reference/conv.js';
import type { TestCase } from './types.js';

type Kernels = 'direct' | 'tiled' | 'winograd';
const KERNELS: Kernels[] = ['direct', 'tiled'];

/** Run a case with one kernel family forced, restoring the automatic choice afterwards. */
async function using<T>(kernels: Kernels, fn: () => Promise<T>, broadcast = true, winogradTile: E.WinogradTile = 4): Promise<T> {
  const before = { ...E.convKernels };
  E.convKernels.mode = kernels;
  E.convKernels.broadcast = broadcast;
  E.convKernels.winogradTile = winogradTile;
  try {
    return await fn();
  } finally {
    Object.assign(E.convKernels, before);
  }
}

// Odd sizes on purpose: channel counts that are not multiples of 4 (the packed vec4 blocks), fewer than 4
// (the column form), row counts that hit each row tile (4, 8, 16, 32 and two blocks of 32), pixel counts
// that are not multiples of a tile.
const geos: ConvGeo[] = [
  { n: 2, c: 3, h: 7, w: 5, o: 4, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 2, c: 5, h: 9, w: 8, o: 3, kh: 3, kw: 3, stride: 2, pad: 1 },
  { n: 1, c: 2, h: 6, w: 7, o: 33, kh: 5, kw: 5, stride: 1, pad: 2 },
  { n: 3, c: 4, h: 5, w: 5, o: 2, kh: 3, kw: 1, stride: 2, pad: 0 },
  { n: 1, c: 17, h: 4, w: 4, o: 18, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 2, c: 7, h: 6, w: 9, o: 7, kh: 3, kw: 3, stride: 2, pad: 2 },
  { n: 1, c: 33, h: 3, w: 5, o: 9, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 2, c: 2, h: 9, w: 7, o: 5, kh: 3, kw: 3, stride: 2, pad: 1 },
];

const label = (g: ConvGeo) => `x[${g.n},${g.c},${g.h},${g.w}] w[${g.o},${g.c},${g.kh},${g.kw}] s${g.stride} p${g.pad}`;
const opts = (g: ConvGeo) => ({ stride: g.stride, padding: g.pad });
const tol = { atol: 1e-4, rtol: 1e-4 };
const gradTol = { atol: 3e-4, rtol: 2e-3 };

const perGeometry: TestCase[] = KERNELS.flatMap((k) =>
  geos.flatMap((g): TestCase[] => {
    const [ho, wo] = outSize(g);
    return [
      {
        name: `conv2d ${label(g)} (${k})`,
        run: () =>
          using(k, () =>
            checkOp({
              name: `conv2d ${k}`,
              inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.o, g.c, g.kh, g.kw] }, { shape: [g.o] }],
              gpu: ([x, w, b]) => E.conv2d(x, w, b, opts(g)),
              ref: ([x, w, b]) => conv2dRef(g, x, w, b),
              tol,
              gradTol,
            })),
      },
      {
        // backward-weight as an op of its own: its VJP runs backward-data and conv2d as its gradients.
        name: `conv2dBackwardWeight ${label(g)} (${k})`,
        run: () =>
          using(k, () =>
            checkOp({
              name: `conv2dBackwardWeight ${k}`,
              inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.n, g.o, ho, wo] }],
              gpu: ([x, gy]) => E.conv2dBackwardWeight(x, gy, [g.o, g.c, g.kh, g.kw], opts(g)),
              ref: ([x, gy]) => conv2dWeightGradRef(g, x, gy),
              tol,
              gradTol,
            })),
      },
      {
        // backward-data as an op of its own: its VJP runs conv2d and backward-weight.
        name: `conv2dBackwardData ${label(g)} (${k})`,
        run: () =>
          using(k, () =>
            checkOp({
              name: `conv2dBackwardData ${k}`,
              inputs: [{ shape: [g.n, g.o, ho, wo] }, { shape: [g.o, g.c, g.kh, g.kw] }],
              gpu: ([gy, w]) => E.conv2dBackwardData(gy, w, [g.n, g.c, g.h, g.w], opts(g)),
              ref: ([gy, w]) => conv2dDataGradRef(g, w, gy),
              tol,
              gradTol,
            })),
      },
    ];
  }),
);

// Several tiles in every direction, partial tiles, split-K with several slices, the first ConvNet layer's
// three channels: all three passes of the tiled kernels against the references.
const medium: ConvGeo[] = [
  { n: 3, c: 20, h: 13, w: 11, o: 37, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 2, c: 9, h: 16, w: 15, o: 70, kh: 3, kw: 3, stride: 2, pad: 1 },
  { n: 4, c: 3, h: 32, w: 32, o: 16, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 2, c: 40, h: 7, w: 9, o: 5, kh: 5, kw: 5, stride: 1, pad: 2 },
];

/** All three tiled passes against the references; `broadcast` false runs the path for devices without subgroups. */
const mediumCase = (g: ConvGeo, broadcast: boolean, kernels: Kernels = 'tiled', winogradTile: E.WinogradTile = 4): TestCase => ({
  name: `${kernels === 'winograd' ? `Winograd F(${winogradTile}x${winogradTile})` : 'tiled'} passes vs reference ${label(g)}${broadcast ? '' : ' (no subgroups)'}`,
  run: () =>
    using(kernels, async () => {
      const rng = makeRng(7);
      const [ho, wo] = outSize(g);
      const xv = randomArray(g.n * g.c * g.h * g.w, rng);
      const wv = randomArray(g.o * g.c * g.kh * g.kw, rng);
      const bv = randomArray(g.o, rng);
      const gv = randomArray(g.n * g.o * ho * wo, rng);
      const [x, w, b, gy] = [xv, wv, bv, gv].map((v) => E.tensor(Float32Array.from(v)));
      const outs = E.tidy(() => [
        E.conv2d(x.view([g.n, g.c, g.h, g.w]), w.view([g.o, g.c, g.kh, g.kw]), b, opts(g)),
        E.conv2dBackwardData(gy.view([g.n, g.o, ho, wo]), w.view([g.o, g.c, g.kh, g.kw]), [g.n, g.c, g.h, g.w], opts(g)),
        E.conv2dBackwardWeight(x.view([g.n, g.c, g.h, g.w]), gy.view([g.n, g.o, ho, wo]), [g.o, g.c, g.kh, g.kw], opts(g)),
      ]);
      const [y, dx, dw] = await Promise.all(outs.map((t) => t.data()));
      const mediumTol = kernels === 'winograd' ? winogradTol : { atol: 2e-4, rtol: 1e-4 };
      expectClose(y, conv2dRef(g, xv, wv, bv), mediumTol, 'forward');
      expectClose(dx, conv2dDataGradRef(g, wv, gv), mediumTol, 'backward-data');
      expectClose(dw, conv2dWeightGradRef(g, xv, gv), mediumTol, 'backward-weight');
      [x, w, b, gy, ...outs].forEach((t) => t.dispose());
      return { y: Array.from(y.slice(0, 64)), dx: Array.from(dx.slice(0, 64)), dw: Array.from(dw.slice(0, 64)) };
    }, broadcast, winogradTile),
});

// Without subgroups every lane loads each row itself: a geometry with 8-row tiles keeps that variant's
// compile short on lavapipe (which itself always has subgroups).
const noSubgroups: ConvGeo = { n: 2, c: 6, h: 9, w: 7, o: 8, kh: 3, kw: 3, stride: 2, pad: 1 };

const mediumCases: TestCase[] = [...medium.map((g) => mediumCase(g, true)), mediumCase(noSubgroups, false)];

const transposed: TestCase[] = KERNELS.flatMap((k) =>
  [
    [2, 3, 4, 5, 4, 3, 3, 2, 1, 1],
    [1, 2, 3, 3, 5, 4, 4, 2, 1, 0],
    [1, 1, 5, 4, 2, 3, 3, 1, 0, 0],
    [1, 6, 3, 4, 9, 3, 3, 2, 0, 1],
  ].map(([n, cin, h, w, cout, kh, kw, s, p, op]) => ({
    name: `convTranspose2d x[${n},${cin},${h},${w}] w[${cin},${cout},${kh},${kw}] s${s} p${p} op${op} (${k})`,
    run: () =>
      using(k, () =>
        checkOp({
          name: `convTranspose2d ${k}`,
          inputs: [{ shape: [n, cin, h, w] }, { shape: [cin, cout, kh, kw] }, { shape: [cout] }],
          gpu: ([x, wt, b]) => E.convTranspose2d(x, wt, b, { stride: s, padding: p, outputPadding: op }),
          ref: ([x, wt, b]) => convTranspose2dRef(n, cin, h, w, cout, kh, kw, s, p, op, x, wt, b),
          tol,
          gradTol,
        })),
  })),
);

/** d/dx sum((dL/dW)^2) with L = <conv2d(x, W), v>: second order through backward-weight and backward-data. */
function secondOrder(g: ConvGeo, k: Kernels): TestCase {
  return {
    name: `second order: d/dx |dL/dW|^2 for conv2d ${label(g)} (${k})`,
    run: () =>
      using(k, async (): Promise<Digest> => {
        const rng = makeRng(99);
        const [ho, wo] = outSize(g);
        const xv = randomArray(g.n * g.c * g.h * g.w, rng);
        const wv = randomArray(g.o * g.c * g.kh * g.kw, rng);
        const vv = randomArray(g.n * g.o * ho * wo, rng);
        const x = E.requireGrad(E.tensor(Float32Array.from(xv), [g.n, g.c, g.h, g.w]));
        const w = E.requireGrad(E.tensor(Float32Array.from(wv), [g.o, g.c, g.kh, g.kw]));
        const v = E.tensor(Float32Array.from(vv), [g.n, g.o, ho, wo]);
        const dx = E.tidy(() => {
          const L = E.sum(E.mul(E.conv2d(x, w, undefined, opts(g)), v));
          const [gw] = E.grad(L, [w], { createGraph: true });
          return E.grad(E.sum(E.square(gw)), [x])[0];
        });
        // dL/dW is the correlation of x with v (conv2dWeightGradRef); differentiate |.|^2 numerically.
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
      }),
  };
}

/** Runs `fn` and returns its error message ('' when it did not throw). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

const errors: TestCase[] = [
  {
    name: 'conv ops reject bad shapes with the op and the shapes in the message',
    run: async () => {
      const x = E.zeros([1, 3, 5, 5]);
      const w = E.zeros([4, 2, 3, 3]);
      const w3 = E.zeros([4, 3, 3, 3]);
      const gy = E.zeros([1, 4, 4, 4]);
      const checks: [string, string, string[]][] = [
        ['channel mismatch', messageOf(() => E.conv2d(x, w)), ['conv2d', '[1, 3, 5, 5]', '[4, 2, 3, 3]']],
        ['bias mismatch', messageOf(() => E.conv2d(x, w3, E.zeros([3]))), ['conv2d', '[3]']],
        ['gradient shape', messageOf(() => E.conv2dBackwardData(gy, w3, [1, 3, 5, 5], { padding: 1 })), ['conv2dBackwardData', '[1, 4, 4, 4]', '[1, 4, 5, 5]']],
        ['weight gradient shape', messageOf(() => E.conv2dBackwardWeight(x, gy, [4, 3, 3, 3], { padding: 1 })), ['conv2dBackwardWeight', '[1, 4, 4, 4]']],
        ['kernel too large', messageOf(() => E.conv2d(x, E.zeros([1, 3, 7, 7]))), ['conv2d', '7x7']],
        ['bad stride', messageOf(() => E.conv2d(x, w3, undefined, { stride: 0 })), ['conv2d', 'stride']],
      ];
      [x, w, w3, gy].forEach((t) => t.dispose());
      for (const [what, msg, parts] of checks) {
        for (const part of parts) if (!msg.includes(part)) throw new Error(`${what}: expected '${part}' in the message, got '${msg}'`);
      }
    },
  },
];

/**
 * Every tile the tuner may choose (engine/tuning.ts) computes the same convolution: forward (rows 33, a
 * second row block) and backward-data (stride 2) against the float64 references, without finite
 * differences.
 */
const tileCases: TestCase[] = E.GEMM_TILES.map((tile) => {
  const g: ConvGeo = { n: 2, c: 9, h: 7, w: 6, o: 33, kh: 3, kw: 3, stride: 2, pad: 1 };
  return {
    name: `conv2d tiled GEMM with tile ${tile.tn} pixels x up to ${tile.tmMax} rows: forward and backward-data ${label(g)}`,
    run: () =>
      using('tiled', async () => {
        const rng = makeRng(23);
        const [ho, wo] = outSize(g);
        const xv = randomArray(g.n * g.c * g.h * g.w, rng);
        const wv = randomArray(g.o * g.c * g.kh * g.kw, rng);
        const gv = randomArray(g.n * g.o * ho * wo, rng);
        const x = E.tensor(Float32Array.from(xv), [g.n, g.c, g.h, g.w]);
        const w = E.tensor(Float32Array.from(wv), [g.o, g.c, g.kh, g.kw]);
        const gy = E.tensor(Float32Array.from(gv), [g.n, g.o, ho, wo]);
        const [y, dx] = E.withTile(tile, () => [E.conv2d(x, w, undefined, opts(g)), E.conv2dBackwardData(gy, w, x.shape, opts(g))]);
        expectClose(await y.data(), conv2dRef(g, xv, wv), tol, 'forward');
        expectClose(await dx.data(), conv2dDataGradRef(g, wv, gv), tol, 'backward-data');
        [x, w, gy, y, dx].forEach((t) => t.dispose());
      }),
  };
});

// ------------------------------------------------------------------ Winograd

/**
 * The transform matrices themselves, in float64: for random d and g, At [(G g) . (Bt d)] must be the m
 * outputs of the 1-D correlation y[i] = sum_k d[i + k] g[k] (the 2-D algorithm nests this).
 */
const winogradMatrixCases: TestCase[] = ([2, 4] as const).map((m) => ({
  name: `Winograd F(${m}, 3) matrices compute a 3-tap correlation`,
  run: async () => {
    const { BT, G, AT } = E.WINOGRAD_MATRICES[m];
    const rng = makeRng(5);
    const mul = (A: number[][], v: ArrayLike<number>) => A.map((row) => row.reduce((s, a, k) => s + a * v[k], 0));
    for (let trial = 0; trial < 20; trial++) {
      const d = randomArray(m + 2, rng);
      const g = randomArray(3, rng);
      const u = mul(G, g);
      const v = mul(BT, d);
      const y = mul(AT, u.map((ui, i) => ui * v[i]));
      const ref = Array.from({ length: m }, (_, i) => d[i] * g[0] + d[i + 1] * g[1] + d[i + 2] * g[2]);
      expectClose(y, ref, { atol: 1e-12, rtol: 1e-12 }, `F(${m}, 3) trial ${trial}`);
    }
  },
}));

// Every 3x3 stride-1 geometry above (Winograd's domain) and a few more: padding 0 and 2, partial tiles,
// channel counts below and off multiples of 4, tile counts off multiples of 4 (the output transform's
// quads). Forward, backward-data, backward-weight and their VJPs (which run the other two), F(2x2) and
// F(4x4). Winograd's stated tolerance: F(4x4)'s transforms scale values by up to 8 and 1/24, so float32
// results differ from the exact ones by about 1e-5 of the output's magnitude (2e-4 here) instead of 1e-6.
const winogradGeos: ConvGeo[] = [
  ...geos.filter((g) => g.kh === 3 && g.kw === 3 && g.stride === 1),
  { n: 2, c: 6, h: 5, w: 7, o: 5, kh: 3, kw: 3, stride: 1, pad: 0 },
  { n: 1, c: 9, h: 6, w: 9, o: 7, kh: 3, kw: 3, stride: 1, pad: 2 },
  { n: 1, c: 4, h: 8, w: 12, o: 4, kh: 3, kw: 3, stride: 1, pad: 1 },
];
const winogradTol = { atol: 2e-4, rtol: 2e-4 };

// Winograd at sizes where finite differences would be slow: ConvNet-like channel counts, partial tiles.
const winogradMedium: TestCase[] = [
  mediumCase({ n: 3, c: 20, h: 13, w: 11, o: 37, kh: 3, kw: 3, stride: 1, pad: 1 }, true, 'winograd', 4),
  mediumCase({ n: 2, c: 64, h: 16, w: 16, o: 48, kh: 3, kw: 3, stride: 1, pad: 1 }, true, 'winograd', 4),
  mediumCase({ n: 3, c: 20, h: 13, w: 11, o: 37, kh: 3, kw: 3, stride: 1, pad: 1 }, true, 'winograd', 2),
];

const winogradCases: TestCase[] = ([2, 4] as const).flatMap((m) =>
  winogradGeos.flatMap((g): TestCase[] => {
    const [ho, wo] = outSize(g);
    const run = <T>(fn: () => Promise<T>) => using('winograd', fn, true, m);
    return [
      {
        name: `conv2d Winograd F(${m}x${m}) ${label(g)}`,
        run: () =>
          run(() =>
            checkOp({
              name: `conv2d winograd ${m}`,
              inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.o, g.c, g.kh, g.kw] }, { shape: [g.o] }],
              gpu: ([x, w, b]) => E.conv2d(x, w, b, opts(g)),
              ref: ([x, w, b]) => conv2dRef(g, x, w, b),
              tol: winogradTol,
              gradTol,
            })),
      },
      {
        name: `conv2dBackwardWeight Winograd F(${m}x${m}) ${label(g)}`,
        run: () =>
          run(() =>
            checkOp({
              name: `conv2dBackwardWeight winograd ${m}`,
              inputs: [{ shape: [g.n, g.c, g.h, g.w] }, { shape: [g.n, g.o, ho, wo] }],
              gpu: ([x, gy]) => E.conv2dBackwardWeight(x, gy, [g.o, g.c, g.kh, g.kw], opts(g)),
              ref: ([x, gy]) => conv2dWeightGradRef(g, x, gy),
              tol: winogradTol,
              gradTol,
            })),
      },
      {
        name: `conv2dBackwardData Winograd F(${m}x${m}) ${label(g)}`,
        run: () =>
          run(() =>
            checkOp({
              name: `conv2dBackwardData winograd ${m}`,
              inputs: [{ shape: [g.n, g.o, ho, wo] }, { shape: [g.o, g.c, g.kh, g.kw] }],
              gpu: ([gy, w]) => E.conv2dBackwardData(gy, w, [g.n, g.c, g.h, g.w], opts(g)),
              ref: ([gy, w]) => conv2dDataGradRef(g, w, gy),
              tol: winogradTol,
              gradTol,
            })),
      },
    ];
  }),
);

export const convCases: TestCase[] = [
  ...winogradMatrixCases,
  ...winogradCases,
  ...winogradMedium,
  secondOrder(geos[0], 'winograd'),
  ...perGeometry,
  ...tileCases,
  ...mediumCases,
  ...transposed,
  ...KERNELS.flatMap((k) => [secondOrder(geos[0], k), secondOrder(geos[2], k)]),
  ...errors,
];
