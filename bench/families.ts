// One workload per kernel family beyond matmul and conv, on the shapes condensation uses (ConvNet-3 at
// batch 64, the HMN decoder, DSA augmentation, the matching loss), plus conv-transpose and one HMN inner
// step. `bytes` counts each tensor read or written once (the least any kernel must move).
import * as E from '../engine/index.js';
import type { Workload } from './harness.js';
import { Hmn } from '../src/hmn/model.js';
import { preset } from '../src/hmn/presets.js';
import { Condenser, DEFAULT_HYPER } from '../src/condense/condenser.js';
import { makeProceduralDataset } from '../src/data/procedural.js';
import { applyAugment, sampleAugment } from '../src/condense/augment.js';

const rng = () => new E.Random(99);
const randn = (shape: number[], r: E.Random, std = 1) => E.keep(E.randomNormal(shape, r, 0, std));
const F = 4; // bytes per float
const ACT = [64, 128, 16, 16]; // ConvNet-3's second block at batch 64
const ACT_SIZE = ACT.reduce((a, b) => a * b, 1);

function simple<C extends Record<string, E.Tensor>>(name: string, group: string, bytes: number | undefined, setup: () => C, step: (c: C) => void, flops?: number): Workload<C> {
  return { name, group, bytes, flops, setup, step, dispose: (c) => Object.values(c).forEach((t) => t.dispose()) };
}

export function familyWorkloads(): Workload<any>[] {
  const r = rng();
  return [
    simple('elementwise mul [64,128,16,16]', 'elementwise', 3 * ACT_SIZE * F, () => ({ a: randn(ACT, r), b: randn(ACT, r) }), ({ a, b }) => void E.mul(a, b)),
    simple('elementwise add, broadcast [64,128,16,16] + [1,128,1,1]', 'elementwise', 2 * ACT_SIZE * F, () => ({ a: randn(ACT, r), b: randn([1, 128, 1, 1], r) }), ({ a, b }) => void E.add(a, b)),
    simple('relu fwd+bwd [64,128,16,16]', 'elementwise', 4 * ACT_SIZE * F, () => ({ x: E.requireGrad(randn(ACT, r)), g: randn(ACT, r) }), ({ x, g }) => void E.grad(E.relu(x), [x], { gradOutput: g })),
    simple('sum over H,W [64,128,16,16] -> [64,128]', 'reduce', ACT_SIZE * F, () => ({ x: randn(ACT, r) }), ({ x }) => void E.sum(E.reshape(x, [64 * 128, 256]), 1)),
    simple('sum over batch [64,128,16,16] -> [128,16,16]', 'reduce', ACT_SIZE * F, () => ({ x: randn(ACT, r) }), ({ x }) => void E.sum(x, 0)),
    simple(
      'instance norm fwd+bwd [64,128,16,16]',
      'norm',
      4 * ACT_SIZE * F,
      () => ({ x: E.requireGrad(randn(ACT, r)), w: E.requireGrad(E.keep(E.ones([128]))), b: E.requireGrad(E.keep(E.zeros([128]))), g: randn(ACT, r) }),
      ({ x, w, b, g }) => void E.grad(E.instanceNorm(x, w, b), [x, w, b], { gradOutput: g }),
    ),
    simple('avgpool 2 fwd+bwd [64,128,16,16]', 'pool', 2.5 * ACT_SIZE * F, () => ({ x: E.requireGrad(randn(ACT, r)), g: randn([64, 128, 8, 8], r) }), ({ x, g }) => void E.grad(E.avgPool2d(x, 2), [x], { gradOutput: g })),
    simple(
      'bilinear upsample 2x fwd+bwd [128,48,16,16] (HMN decoder)',
      'upsample',
      10 * 128 * 48 * 256 * F,
      () => ({ x: E.requireGrad(randn([128, 48, 16, 16], r)), g: randn([128, 48, 32, 32], r) }),
      ({ x, g }) => void E.grad(E.upsampleBilinear(x, [32, 32]), [x], { gradOutput: g }),
    ),
    (() => {
      const aug = sampleAugment(new E.Random(5), 128, 32, 32);
      return simple('DSA color+crop+cutout [128,3,32,32]', 'augment', 8 * 128 * 3 * 1024 * F, () => ({ x: randn([128, 3, 32, 32], r) }), ({ x }) => void applyAugment(x, ['color', 'crop', 'cutout'], aug));
    })(),
    simple(
      'matching loss: MSE of conv-weight gradients (ConvNet-3)',
      'loss',
      2 * (128 * 3 * 9 + 2 * 128 * 128 * 9) * F,
      () => ({ a: randn([128 * 3 * 9 + 2 * 128 * 128 * 9], r), b: randn([128 * 3 * 9 + 2 * 128 * 128 * 9], r) }),
      ({ a, b }) => void E.sum(E.square(E.sub(a, b))),
    ),
    simple(
      'conv-transpose 4x4 s2 [64,64,8,8] -> [64,32,16,16]',
      'conv',
      undefined,
      () => ({ x: randn([64, 64, 8, 8], r), w: randn([64, 32, 4, 4], r, 0.05) }),
      ({ x, w }) => void E.convTranspose2d(x, w, undefined, { stride: 2, padding: 1 }),
      2 * 64 * 64 * 32 * 16 * 8 * 8,
    ),
    hmnInnerStepWorkload(),
  ];
}

/**
 * One HMN inner step on CIFAR-10-shaped data at IPC 1: ten class matches (64 real + 16 decoded images,
 * the whole GIPC), the Adam step and no network step (innerSteps 1). An outer iteration is innerSteps of
 * these plus innerSteps - 1 network SGD steps.
 */
function hmnInnerStepWorkload(): Workload<{ hmn: Hmn; condenser: Condenser }> {
  return {
    name: 'HMN inner step (IPC 1, 10 classes x (64 real + 16 syn))',
    group: 'end-to-end',
    setup: () => {
      const data = makeProceduralDataset({ perClass: 64, seed: 1 });
      const hmn = Hmn.create(preset('cifar10', 1).config, 3);
      return { hmn, condenser: new Condenser(hmn, data, { ...DEFAULT_HYPER, innerSteps: 1 }, 3) };
    },
    // Condenser.step is asynchronous (it reads the loss back), so this workload runs through `run`.
    run: async ({ condenser }) => void (await condenser.step()),
    dispose: ({ hmn, condenser }) => (condenser.dispose(), hmn.dispose()),
  };
}
