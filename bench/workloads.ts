// The shapes that matter: a 1024^3 matmul, ConvNet-3's three conv layers at batch 64, a ConvNet-3 training
// step and a gradient-matching step (64 real + 64 synthetic images, second order).
import * as E from '../engine/index.js';
import type { Workload } from './harness.js';

const rng = () => new E.Random(1234);

function randn(shape: number[], r: E.Random, std = 1): E.Tensor {
  return E.keep(E.randomNormal(shape, r, 0, std));
}

export function matmulWorkload(n: number): Workload<{ a: E.Tensor; b: E.Tensor }> {
  return {
    name: `matmul ${n}x${n}x${n}`,
    group: 'matmul',
    flops: 2 * n ** 3,
    stepsPerSample: 4,
    setup: () => {
      const r = rng();
      return { a: randn([n, n], r), b: randn([n, n], r) };
    },
    step: ({ a, b }) => void E.matmul(a, b),
    dispose: ({ a, b }) => (a.dispose(), b.dispose()),
  };
}

export interface ConvShape {
  label: string;
  n: number;
  c: number;
  o: number;
  size: number;
}

export const CONVNET3_LAYERS: ConvShape[] = [
  { label: 'conv 3->128 @32', n: 64, c: 3, o: 128, size: 32 },
  { label: 'conv 128->128 @16', n: 64, c: 128, o: 128, size: 16 },
  { label: 'conv 128->128 @8', n: 64, c: 128, o: 128, size: 8 },
];

const convFlops = (s: ConvShape) => 2 * s.n * s.o * s.size * s.size * s.c * 9;

export function convForwardWorkload(s: ConvShape): Workload<{ x: E.Tensor; w: E.Tensor }> {
  return {
    name: `${s.label} fwd (batch ${s.n})`,
    group: 'conv',
    flops: convFlops(s),
    stepsPerSample: 2,
    setup: () => {
      const r = rng();
      return { x: randn([s.n, s.c, s.size, s.size], r), w: randn([s.o, s.c, 3, 3], r, 0.05) };
    },
    step: ({ x, w }) => void E.conv2d(x, w, undefined, { padding: 1 }),
    dispose: ({ x, w }) => (x.dispose(), w.dispose()),
  };
}

/** Forward, then backward-data and backward-weight (3x the forward FLOPs). */
export function convTrainWorkload(s: ConvShape): Workload<{ x: E.Tensor; w: E.Tensor; g: E.Tensor }> {
  return {
    name: `${s.label} fwd+bwd (batch ${s.n})`,
    group: 'conv',
    flops: 3 * convFlops(s),
    setup: () => {
      const r = rng();
      return {
        x: E.requireGrad(randn([s.n, s.c, s.size, s.size], r)),
        w: E.requireGrad(randn([s.o, s.c, 3, 3], r, 0.05)),
        g: randn([s.n, s.o, s.size, s.size], r),
      };
    },
    step: ({ x, w, g }) => {
      const y = E.conv2d(x, w, undefined, { padding: 1 });
      E.grad(y, [x, w], { gradOutput: g });
    },
    dispose: ({ x, w, g }) => (x.dispose(), w.dispose(), g.dispose()),
  };
}

interface TrainCtx {
  net: E.ConvNet;
  opt: E.SGD;
  x: E.Tensor;
  y: E.Tensor;
}

/** Forward, cross-entropy, backward and an SGD step of ConvNet-3 (width 128) on a batch of 32x32 images. */
export function trainStepWorkload(batch = 64): Workload<TrainCtx> {
  return {
    name: `ConvNet-3 training step (batch ${batch})`,
    group: 'end-to-end',
    setup: () => {
      const r = rng();
      const net = new E.ConvNet({ inChannels: 3, classes: 10, width: 128, depth: 3, imageSize: 32, seed: 1 });
      const opt = new E.SGD(net.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
      const labels = E.keep(E.tensor(r.integers(batch, 0, 10), [batch], 'i32'));
      return { net, opt, x: randn([batch, 3, 32, 32], r), y: labels };
    },
    step: ({ net, opt, x, y }) => {
      opt.zeroGrad();
      E.backward(E.crossEntropy(net.forward(x), y));
      opt.step();
    },
    dispose: ({ net, opt, x, y }) => (net.dispose(), opt.dispose(), x.dispose(), y.dispose()),
  };
}

interface MatchCtx {
  net: E.ConvNet;
  real: E.Tensor;
  realY: E.Tensor;
  syn: E.Tensor;
  synY: E.Tensor;
}

/**
 * One gradient-matching step: parameter gradients on 64 real images (first order), on 64 synthetic images
 * (recorded, createGraph), the summed squared distance of the weight gradients, and its gradient with
 * respect to the synthetic images (second order through the network).
 */
export function matchStepWorkload(batch = 64): Workload<MatchCtx> {
  return {
    name: `gradient-matching step (${batch} real + ${batch} syn)`,
    group: 'end-to-end',
    setup: () => {
      const r = rng();
      const net = new E.ConvNet({ inChannels: 3, classes: 10, width: 128, depth: 3, imageSize: 32, seed: 2 });
      const labels = () => E.keep(E.tensor(new Int32Array(batch).fill(3), [batch], 'i32'));
      return { net, real: randn([batch, 3, 32, 32], r), realY: labels(), syn: E.requireGrad(randn([batch, 3, 32, 32], r)), synY: labels() };
    },
    step: ({ net, real, realY, syn, synY }) => {
      const params = net.parameters();
      const gReal = E.grad(E.crossEntropy(net.forward(real), realY), params);
      const gSyn = E.grad(E.crossEntropy(net.forward(syn), synY), params, { createGraph: true });
      let dist: E.Tensor | null = null;
      params.forEach((p, i) => {
        if (p.rank < 2) return; // weights only, as in DC/IDC
        const d = E.sum(E.square(E.sub(gReal[i], gSyn[i])));
        dist = dist ? E.add(dist, d) : d;
      });
      E.grad(dist!, [syn]);
    },
    dispose: ({ net, real, realY, syn, synY }) => {
      [real, realY, syn, synY].forEach((t) => t.dispose());
      net.dispose();
    },
  };
}

export function allWorkloads(): Workload<any>[] {
  return [
    matmulWorkload(1024),
    ...CONVNET3_LAYERS.map(convForwardWorkload),
    ...CONVNET3_LAYERS.map(convTrainWorkload),
    trainStepWorkload(64),
    matchStepWorkload(64),
  ];
}
