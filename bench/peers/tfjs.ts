// The peer workloads in TensorFlow.js (its WebGPU backend), mirroring bench/workloads.ts. TF.js is passed
// in rather than imported, because in Node its WebGPU backend registers itself only if navigator.gpu
// already exists when it is first imported. Layout is TF.js's native NHWC (filters [kh, kw, in, out]);
// the FLOPs are the same as our NCHW shapes.
import type * as tfjs from '@tensorflow/tfjs';
import type { Runner } from './interleave.js';

type TF = typeof tfjs;
type T = tfjs.Tensor;

const SEED = 1234;

/**
 * Each sample runs `steps` steps and reads one number of the last result, so it ends with the GPU done.
 * TF.js only logs WebGPU validation errors (the invalid work is skipped, which would look fast), so a
 * sample runs inside an error scope and fails on any.
 */
function runner(tf: TF, steps: number, step: () => T, inputs: T[]): Runner {
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  return {
    sample: async () => {
      device.pushErrorScope('validation');
      try {
        await runSteps(tf, steps, step);
      } finally {
        const error = await device.popErrorScope();
        if (error) throw new Error(`TF.js WebGPU validation error: ${error.message.split('\n')[0]}`);
      }
    },
    dispose: () => tf.dispose(inputs),
  };
}

async function runSteps(tf: TF, steps: number, step: () => T): Promise<void> {
  let probe: T | null = null;
  for (let i = 0; i < steps; i++) {
    probe?.dispose();
    probe = tf.tidy(() => step().reshape([-1]).slice(0, 1));
  }
  await probe!.data();
  probe!.dispose();
}

export function matmul(tf: TF, n: number, steps: number): Runner {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', SEED);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', SEED + 1);
  return runner(tf, steps, () => tf.matMul(a, b), [a, b]);
}

export interface ConvShape { n: number; c: number; o: number; size: number }

function convInputs(tf: TF, s: ConvShape) {
  return {
    x: tf.randomNormal([s.n, s.size, s.size, s.c], 0, 1, 'float32', SEED) as tfjs.Tensor4D,
    w: tf.randomNormal([3, 3, s.c, s.o], 0, 0.05, 'float32', SEED + 1) as tfjs.Tensor4D,
  };
}

export function convForward(tf: TF, s: ConvShape, steps: number): Runner {
  const { x, w } = convInputs(tf, s);
  return runner(tf, steps, () => tf.conv2d(x, w, 1, 1), [x, w]);
}

/** Forward, then the input and filter gradients for a given output gradient. */
export function convTrain(tf: TF, s: ConvShape, steps: number): Runner {
  const { x, w } = convInputs(tf, s);
  const dy = tf.randomNormal([s.n, s.size, s.size, s.o], 0, 1, 'float32', SEED + 2);
  const both = tf.grads((a: T, b: T) => tf.conv2d(a as tfjs.Tensor4D, b as tfjs.Tensor4D, 1, 1));
  return runner(tf, steps, () => both([x, w], dy)[1], [x, w, dy]);
}

// ConvNet-3 as in engine/nn/convnet.ts: 3 x [conv3x3 + bias -> instance norm (affine) -> ReLU -> avgpool 2]
// -> linear. Parameters are a flat list, 4 per block then the classifier's weight and bias.
const WIDTH = 128;
const DEPTH = 3;
const CLASSES = 10;

function convNetParams(tf: TF, seed: number): T[] {
  const uniform = (shape: number[], fanIn: number) => {
    const b = 1 / Math.sqrt(fanIn);
    return tf.randomUniform(shape, -b, b, 'float32', seed++);
  };
  const p: T[] = [];
  for (let i = 0; i < DEPTH; i++) {
    const cin = i === 0 ? 3 : WIDTH;
    p.push(uniform([3, 3, cin, WIDTH], cin * 9), uniform([WIDTH], cin * 9), tf.ones([WIDTH]), tf.zeros([WIDTH]));
  }
  const features = WIDTH * (32 / 2 ** DEPTH) ** 2;
  p.push(uniform([features, CLASSES], features), uniform([CLASSES], features));
  return p;
}

function convNetForward(tf: TF, x: T, p: T[]): T {
  let h = x as tfjs.Tensor4D;
  for (let i = 0; i < DEPTH; i++) {
    const [w, b, gamma, beta] = p.slice(4 * i, 4 * i + 4);
    h = tf.conv2d(h, w as tfjs.Tensor4D, 1, 1).add(b);
    // Instance norm = GroupNorm(C, C): statistics per image and channel, over the spatial axes.
    const { mean, variance } = tf.moments(h, [1, 2], true);
    h = h.sub(mean).mul(variance.add(1e-5).rsqrt()).mul(gamma).add(beta);
    h = tf.avgPool(tf.relu(h), 2, 2, 'valid');
  }
  return tf.matMul(h.reshape([h.shape[0], -1]), p[4 * DEPTH]).add(p[4 * DEPTH + 1]);
}

function images(tf: TF, batch: number, seed: number): T {
  return tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', seed);
}

/**
 * Sum of scalars by pairwise adds: tf.addN of more than a few tensors needs more storage buffers per stage
 * than the 8 TF.js's device asks for, and its pipeline is then invalid.
 */
const total = (xs: T[]): T => xs.reduce((a, b) => a.add(b));

/** Forward, cross-entropy (+ weight decay 5e-4 as an L2 term, which SGD's decay equals), one momentum step. */
export function trainStep(tf: TF, batch: number): Runner {
  const vars = convNetParams(tf, 1).map((t) => tf.variable(t));
  const x = images(tf, batch, SEED);
  const labels = Array.from({ length: batch }, (_, i) => (i * 7) % CLASSES);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat();
  const opt = tf.train.momentum(0.01, 0.9);
  const loss = () => {
    const ce = tf.losses.softmaxCrossEntropy(y, convNetForward(tf, x, vars));
    return ce.add(total(vars.map((v) => v.square().sum())).mul(0.5 * 5e-4)) as tfjs.Scalar;
  };
  const r = runner(tf, 1, () => opt.minimize(loss, true, vars)!, [x, y]);
  return { sample: r.sample, dispose: () => (r.dispose(), tf.dispose(vars), opt.dispose()) };
}

/** Cross-entropy from elementary ops (tf.losses' version is a customGrad, which is not differentiable again). */
function crossEntropy(tf: TF, logits: T, oneHot: T): T {
  const z = logits.sub(logits.max(1, true));
  const logp = z.sub(z.exp().sum(1, true).log());
  return oneHot.mul(logp).sum(1).mean().neg();
}

/** Gradient matching, as bench/workloads.ts: weight-gradient distance of real vs synthetic, d/d(synthetic). */
export function matchStep(tf: TF, batch: number): Runner {
  const params = convNetParams(tf, 2);
  const real = images(tf, batch, SEED);
  const syn = images(tf, batch, SEED + 1);
  const y = tf.oneHot(tf.fill([batch], 3, 'int32') as tfjs.Tensor1D, CLASSES).toFloat();
  const weights = params.map((p, i) => (p.rank >= 2 ? i : -1)).filter((i) => i >= 0);
  const paramGrads = (x: T) => tf.grads((...p: T[]) => crossEntropy(tf, convNetForward(tf, x, p), y))(params);
  const step = () => {
    const gReal = paramGrads(real);
    const distance = (s: T) => {
      const gSyn = paramGrads(s);
      return total(weights.map((i) => gReal[i].sub(gSyn[i]).square().sum()));
    };
    return tf.grad(distance)(syn);
  };
  const r = runner(tf, 1, step, [...params, real, syn, y]);
  return { ...r, sample: () => r.sample().catch((e: Error) => Promise.reject(secondOrderError(e))) };
}

/** Names the limitation when the missing gradient is one of conv2d's own backward kernels. */
function secondOrderError(e: Error): Error {
  return /gradient function not found for Conv2D/.test(e.message) ? new Error(`TF.js cannot take second-order gradients of conv2d: ${e.message}`) : e;
}
