// SGD and Adam against float64 CPU implementations of PyTorch's update rules (test/reference/optim.ts):
// several parameters of different sizes (one spanning several workgroups), six steps with fresh gradients,
// a learning rate changed by a schedule between steps, and parameters that skip steps. Then exact
// resumption from state(), allocation-free steps, argument checks, and the schedules' formulas.
import * as E from '../../engine/index.js';
import { expectClose, expectThrows } from '../helpers/check.js';
import { makeRng, randomArray, prod } from '../helpers/rng.js';
import { sgdRef, adamRef, type RefStep } from '../reference/optim.js';
import type { TestCase } from './types.js';

const SHAPES = [[37], [300, 2], [1]];
const STEPS = 6;
/** float32 kernels against float64 references after six steps of O(0.1) updates on O(1) values. */
const TOL = { atol: 2e-6, rtol: 1e-5 };

interface Trajectory {
  p0: Float64Array[];
  /** Per parameter, per step: the gradient, or null where the parameter has none that step. */
  grads: (Float64Array | null)[][];
  lrs: number[];
}

/** Random start values and gradients; `skip(param, step)` marks steps without a gradient. */
function trajectory(seed: number, lrAt: (step: number) => number, skip = (_p: number, _s: number) => false): Trajectory {
  const rng = makeRng(seed);
  const p0 = SHAPES.map((s) => randomArray(prod(s), rng));
  const grads = SHAPES.map((s, k) => Array.from({ length: STEPS }, (_, t) => (skip(k, t) ? null : randomArray(prod(s), rng))));
  return { p0, grads, lrs: Array.from({ length: STEPS }, (_, t) => lrAt(t)) };
}

const refSteps = (tr: Trajectory, k: number): RefStep[] => tr.grads[k].map((grad, t) => ({ grad, lr: tr.lrs[t] }));

function setGrad(p: E.Tensor, g: ArrayLike<number> | null): void {
  p.grad?.dispose();
  p.grad = g ? E.keep(E.tensor(Float32Array.from(g), p.shape)) : null;
}

/** Run the whole trajectory on the GPU; returns the final parameter values. */
async function runOnGpu(tr: Trajectory, make: (ps: E.Tensor[]) => E.Optimizer): Promise<Float32Array[]> {
  const params = tr.p0.map((v, k) => E.parameter(Float32Array.from(v), SHAPES[k]));
  const opt = make(params);
  for (let t = 0; t < STEPS; t++) {
    params.forEach((p, k) => setGrad(p, tr.grads[k][t]));
    opt.lr = tr.lrs[t];
    opt.step();
  }
  const out = await Promise.all(params.map((p) => p.floats()));
  opt.dispose();
  params.forEach((p) => p.dispose());
  return out;
}

function digest(values: Float32Array[]): Record<string, number[]> {
  return Object.fromEntries(values.map((v, k) => [`p${k}`, Array.from(v)]));
}

const cosine = (t: number) => E.cosineLR(0.1, t, STEPS);

const sgdConfigs = [
  { momentum: 0, weightDecay: 0, nesterov: false },
  { momentum: 0.9, weightDecay: 0, nesterov: false },
  { momentum: 0.9, weightDecay: 5e-4, nesterov: false },
  { momentum: 0.5, weightDecay: 1e-2, nesterov: true },
];

const adamConfigs = [
  { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0 },
  { betas: [0.5, 0.9] as [number, number], eps: 1e-3, weightDecay: 0.05 },
];

async function resumesExactly(make: (ps: E.Tensor[]) => E.Optimizer): Promise<void> {
  const tr = trajectory(11, cosine, (k, t) => k === 2 && t === 0);
  const original = tr.p0.map((v, k) => E.parameter(Float32Array.from(v), SHAPES[k]));
  const a = make(original);
  const runSteps = (params: E.Tensor[], opt: E.Optimizer, from: number, to: number) => {
    for (let t = from; t < to; t++) {
      params.forEach((p, k) => setGrad(p, tr.grads[k][t]));
      opt.lr = tr.lrs[t];
      opt.step();
    }
  };
  runSteps(original, a, 0, 2);
  const saved = await a.state();
  if (saved.steps.join() !== '2,2,1') throw new Error(`per-parameter steps ${saved.steps} (expected 2,2,1)`);
  const copies = await Promise.all(original.map(async (p) => E.parameter(await p.floats(), p.shape)));
  const b = make(copies);
  b.loadState(saved);
  runSteps(original, a, 2, STEPS);
  runSteps(copies, b, 2, STEPS);
  for (let k = 0; k < SHAPES.length; k++) expectClose(await copies[k].floats(), await original[k].floats(), { atol: 0, rtol: 0 }, `resumed parameter ${k}`);
  [a, b].forEach((o) => o.dispose());
  [...original, ...copies].forEach((p) => p.dispose());
}

export const optimCases: TestCase[] = [
  ...sgdConfigs.map((c) => ({
    name: `SGD momentum ${c.momentum}, weight decay ${c.weightDecay}${c.nesterov ? ', nesterov' : ''}: six steps with a cosine lr`,
    run: async () => {
      const tr = trajectory(4, cosine);
      const got = await runOnGpu(tr, (ps) => new E.SGD(ps, { lr: 0.1, ...c }));
      got.forEach((v, k) => expectClose(v, sgdRef(tr.p0[k], refSteps(tr, k), c), TOL, `SGD parameter ${k}`));
      return digest(got);
    },
  })),
  ...adamConfigs.map((c) => ({
    name: `Adam betas ${c.betas}, eps ${c.eps}, weight decay ${c.weightDecay}: six steps with a step-decayed lr`,
    run: async () => {
      const tr = trajectory(8, (t) => E.stepLR(0.01, t, 2, 0.5));
      const got = await runOnGpu(tr, (ps) => new E.Adam(ps, { lr: 0.01, ...c }));
      got.forEach((v, k) => expectClose(v, adamRef(tr.p0[k], refSteps(tr, k), c), TOL, `Adam parameter ${k}`));
      return digest(got);
    },
  })),
  {
    name: 'Adam lrScales: each parameter steps with its own multiple of lr (parameter groups)',
    run: async () => {
      const tr = trajectory(11, cosine);
      const c = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 1e-3 };
      const scales = SHAPES.map((_, k) => [1, 0.1, 0, 2.5][k % 4]);
      const got = await runOnGpu(tr, (ps) => new E.Adam(ps, { lr: 0.1, ...c, lrScales: scales }));
      got.forEach((v, k) => {
        const steps = refSteps(tr, k).map((s) => ({ ...s, lr: s.lr * scales[k] }));
        expectClose(v, adamRef(tr.p0[k], steps, c), TOL, `Adam parameter ${k} (lr x ${scales[k]})`);
      });
      const one = E.parameter(new Float32Array(1), [1]);
      expectThrows(() => new E.Adam([one], { lr: 0.1, lrScales: [1, 1] }), /2 lr scales for 1 parameters/);
      one.dispose();
      return digest(got);
    },
  },
  {
    name: 'parameters without a gradient are skipped: momentum and Adam step counts per parameter',
    run: async () => {
      // Parameter 1 misses steps 0 and 3, parameter 2 every other step.
      const skip = (k: number, t: number) => (k === 1 && (t === 0 || t === 3)) || (k === 2 && t % 2 === 1);
      const tr = trajectory(5, cosine, skip);
      const sgd = { momentum: 0.9, weightDecay: 1e-3, nesterov: false };
      const adam = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0 };
      const gotSgd = await runOnGpu(tr, (ps) => new E.SGD(ps, { lr: 0.1, ...sgd }));
      const gotAdam = await runOnGpu(tr, (ps) => new E.Adam(ps, { lr: 0.1, ...adam }));
      for (let k = 0; k < SHAPES.length; k++) {
        expectClose(gotSgd[k], sgdRef(tr.p0[k], refSteps(tr, k), sgd), TOL, `SGD parameter ${k}`);
        expectClose(gotAdam[k], adamRef(tr.p0[k], refSteps(tr, k), adam), TOL, `Adam parameter ${k}`);
      }
      return { ...digest(gotSgd), ...Object.fromEntries(gotAdam.map((v, k) => [`adam${k}`, Array.from(v)])) };
    },
  },
  {
    name: 'state() / loadState(): SGD with nesterov momentum resumes bit-exactly',
    run: () => resumesExactly((ps) => new E.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true })),
  },
  {
    name: 'state() / loadState(): Adam resumes bit-exactly',
    run: () => resumesExactly((ps) => new E.Adam(ps, { lr: 0.1, weightDecay: 1e-3 })),
  },
  {
    name: 'state is allocated with the optimizer, steps allocate nothing; zeroGrad and dispose free it all',
    run: async () => {
      await E.sync();
      const before = E.memory().liveBytes;
      const params = SHAPES.map((s) => E.parameter(new Float32Array(prod(s)).fill(1), s));
      const opt = new E.Adam(params, { lr: 0.1 });
      params.forEach((p) => setGrad(p, new Float32Array(p.size).fill(0.5)));
      await E.sync();
      const ready = E.memory();
      for (let t = 0; t < 5; t++) opt.step();
      await E.sync();
      const after = E.memory();
      if (after.liveBytes !== ready.liveBytes || after.created !== ready.created || after.peakBytes !== ready.peakBytes) {
        throw new Error(`steps allocated: live ${ready.liveBytes} -> ${after.liveBytes}, buffers created ${ready.created} -> ${after.created}`);
      }
      opt.zeroGrad();
      if (params.some((p) => p.grad !== null)) throw new Error('zeroGrad left a gradient');
      opt.dispose();
      params.forEach((p) => p.dispose());
      if (E.memory().liveBytes !== before) throw new Error(`live bytes ${E.memory().liveBytes} after dispose, ${before} before`);
    },
  },
  {
    name: 'optimizer arguments and state are checked',
    run: async () => {
      const p = E.parameter(new Float32Array(4), [4]);
      expectThrows(() => new E.SGD([p], { lr: -1 }), /learning rate/);
      expectThrows(() => new E.SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum/);
      expectThrows(() => new E.SGD([p], { lr: 0.1, momentum: -0.5 }), /momentum/);
      expectThrows(() => new E.Adam([p], { lr: 0.1, betas: [0.9, 1] }), /betas/);
      const opt = new E.Adam([p], { lr: 0.1 });
      p.grad = E.keep(E.tensor(new Float32Array(3), [3]));
      expectThrows(() => opt.step(), /gradient \[3\]/);
      expectThrows(() => opt.loadState({ lr: 0.1, steps: [1, 1], buffers: {} }), /2 parameters/);
      expectThrows(() => opt.loadState({ lr: 0.1, steps: [1], buffers: { 'm.0': new Float32Array(5) } }), /5 values/);
      expectThrows(() => opt.loadState({ lr: 0.1, steps: [1], buffers: { 'momentum.0': new Float32Array(4) } }), /unexpected state 'momentum.0'/);
      opt.dispose();
      p.dispose();
    },
  },
  {
    name: 'cosine and step schedules',
    run: async () => {
      const cos = [0, 25, 50, 75, 100, 130].map((s) => E.cosineLR(0.1, s, 100));
      expectClose(cos, [0.1, (0.1 * (1 + Math.SQRT1_2)) / 2, 0.05, (0.1 * (1 - Math.SQRT1_2)) / 2, 0, 0], { atol: 1e-15, rtol: 0 }, 'cosine');
      expectClose([0, 50, 100].map((s) => E.cosineLR(0.1, s, 100, 0.02)), [0.1, 0.06, 0.02], { atol: 1e-15, rtol: 0 }, 'cosine with a floor');
      expectClose([0, 9, 10, 25].map((s) => E.stepLR(1, s, 10, 0.5)), [1, 1, 0.5, 0.25], { atol: 0, rtol: 0 }, 'step');
      expectClose([E.stepLR(0.1, 30, 30)], [0.1 * 0.1], { atol: 1e-18, rtol: 0 }, 'step, default gamma 0.1');
      expectThrows(() => E.cosineLR(0.1, 0, 0), /total steps/);
      expectThrows(() => E.stepLR(0.1, 0, 0), /step size/);
    },
  },
];
