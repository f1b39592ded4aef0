// ConvNet-3 (width 128, 32x32, 10 classes) against PyTorch 1.13 in float64 from the same float32 inputs
// (test/fixtures/make_convnet_fixture.py): logits, loss, every parameter gradient, and the gradient-matching
// gradient with respect to synthetic images (second order through conv, instance norm, ReLU, avg-pool,
// linear and cross-entropy).
//
// Tolerance: |engine - torch| <= 1e-5 * scale + 1e-4 * |torch| elementwise, where scale is the largest
// |value| of the same reference array. A float32 sum of many products errs relative to the magnitude of its
// terms, which the array's largest values stand for, not relative to each (possibly near-zero) result.
// Measured on lavapipe: at most 1.8e-6 * scale for every array (logits, loss, gradients, d_syn), so the bound
// leaves a 5x margin for other adapters' summation orders.
// The conv biases have an exactly zero gradient (the instance norm after each conv removes any per-channel
// constant): float64 gives ~1e-16, float32 ~1e-7; they are held to the same bound with the scale of the
// conv's weight gradient.
import { describe, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { expectClose } from '../helpers/check.js';
import { setupEngine } from '../helpers/node.js';
import { loadFixture } from './fixture.js';

const fx = loadFixture('convnet3');
const { width, depth, classes, size } = fx.meta as { width: number; depth: number; classes: number; size: number };

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** The bound described above, with `scale` defaulting to the reference array's own largest value. */
function expectMatchesTorch(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, scale = maxAbs(expected)): void {
  expectClose(actual, expected, { atol: 1e-5 * scale, rtol: 1e-4 }, what);
}

describe('ConvNet-3 vs PyTorch', () => {
  setupEngine();
  const build = () => {
    const net = new E.ConvNet({ inChannels: 3, classes, width, depth, imageSize: size });
    net.loadStateDict(Object.fromEntries(net.namedParameters().map(([name]) => [name, fx.f32(`param.${name}`)])));
    return net;
  };
  const images = (name: string) => E.tensor(fx.f32(name), fx.shape(name));
  const labels = (name: string) => E.tensor(fx.i32(name), fx.shape(name), 'i32');

  it('forward, loss and all parameter gradients', async () => {
    const net = build();
    const [x, y] = [images('x_real'), labels('y_real')];
    const { logits, loss, grads } = E.tidy(() => {
      const logits = net.forward(x);
      const loss = E.crossEntropy(logits, y);
      return { logits, loss, grads: E.grad(loss, net.parameters()) };
    });
    expectMatchesTorch(await logits.floats(), fx.f32('logits'), 'logits');
    expectMatchesTorch(await loss.floats(), fx.f32('loss'), 'loss');
    const names = net.namedParameters().map(([n]) => n);
    expect(names.length).toBe(4 * depth + 2);
    for (let i = 0; i < names.length; i++) {
      const isConvBias = /^features\.\d+\.bias$/.test(names[i]) && Number(names[i].split('.')[1]) % 4 === 0;
      const scale = isConvBias ? maxAbs(fx.f32(`grad.${names[i - 1]}`)) : undefined;
      expectMatchesTorch(await grads[i].floats(), fx.f32(`grad.${names[i]}`), `d loss / d ${names[i]}`, scale);
    }
    [logits, loss, ...grads, x, y].forEach((t) => t.dispose());
    net.dispose();
  });

  it('gradient matching: d/d(synthetic images) of sum ||g_real - g_syn||^2', async () => {
    const net = build();
    const [xr, yr, ys] = [images('x_real'), labels('y_real'), labels('y_syn')];
    const xs = E.requireGrad(images('x_syn'));
    const { match, dSyn } = E.tidy(() => {
      const params = net.parameters();
      const gReal = E.grad(E.crossEntropy(net.forward(xr), yr), params);
      const gSyn = E.grad(E.crossEntropy(net.forward(xs), ys), params, { createGraph: true });
      const match = gReal.map((g, i) => E.sum(E.square(E.sub(g, gSyn[i])))).reduce((a, b) => E.add(a, b));
      return { match, dSyn: E.grad(match, [xs])[0] };
    });
    expectMatchesTorch(await match.floats(), fx.f32('match'), 'matching loss');
    expectMatchesTorch(await dSyn.floats(), fx.f32('d_syn'), 'd match / d synthetic images');
    [match, dSyn, xr, xs, yr, ys].forEach((t) => t.dispose());
    net.dispose();
  });
});
