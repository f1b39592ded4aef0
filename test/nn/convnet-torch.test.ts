// ConvNet-3 against PyTorch 1.13 (float64 reference; test/fixtures/make_convnet_fixture.py): logits, loss,
// every parameter gradient, and a gradient-matching gradient with respect to synthetic images (second
// order through conv, instance norm, ReLU, avg-pool, linear and cross-entropy).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { expectClose } from '../helpers/check.js';
import { setupEngine } from '../helpers/node.js';

const dir = new URL('../fixtures/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('convnet3.json', dir), 'utf8')) as {
  width: number; depth: number; classes: number; size: number; arrays: Record<string, { offset: number; shape: number[] }>;
};
const bin = readFileSync(new URL('convnet3.bin', dir));
const array = (name: string): Float32Array => {
  const a = meta.arrays[name];
  if (!a) throw new Error(`fixture has no '${name}'`);
  const n = a.shape.reduce((x, y) => x * y, 1);
  return new Float32Array(bin.buffer.slice(bin.byteOffset + a.offset, bin.byteOffset + a.offset + 4 * n));
};
const shape = (name: string) => meta.arrays[name].shape;

// float32 on the GPU against float64 in PyTorch.
const TOL = { logits: { atol: 1e-4, rtol: 1e-4 }, grads: { atol: 2e-5, rtol: 2e-3 }, match: { atol: 1e-4, rtol: 5e-3 } };

describe('ConvNet-3 vs PyTorch', () => {
  setupEngine();
  const build = () => {
    const net = new E.ConvNet({ inChannels: 3, classes: meta.classes, width: meta.width, depth: meta.depth, imageSize: meta.size });
    const state: Record<string, Float32Array> = {};
    for (const [name] of net.namedParameters()) state[name] = array(`param.${name}`);
    net.loadStateDict(state);
    return net;
  };
  const labels = (name: string) => E.tensor(Int32Array.from(array(name)), [shape(name)[0]], 'i32');

  it('forward, loss and all parameter gradients', async () => {
    const net = build();
    const x = E.tensor(array('x_real'), shape('x_real'));
    const y = labels('y_real');
    const { logits, loss, grads } = E.tidy(() => {
      const logits = net.forward(x);
      const loss = E.crossEntropy(logits, y);
      return { logits, loss, grads: E.grad(loss, net.parameters()) };
    });
    expectClose(await logits.data(), array('logits'), TOL.logits, 'logits');
    expectClose(await loss.data(), array('loss'), TOL.logits, 'loss');
    const names = net.namedParameters().map(([n]) => n);
    expect(names.length).toBe(4 * meta.depth + 2);
    for (let i = 0; i < names.length; i++) expectClose(await grads[i].data(), array(`grad.${names[i]}`), TOL.grads, `d loss / d ${names[i]}`);
    [logits, loss, ...grads, x, y].forEach((t) => t.dispose());
    net.dispose();
  });

  it('gradient matching: d/d(synthetic images) of sum ||g_real - g_syn||^2', async () => {
    const net = build();
    const xr = E.tensor(array('x_real'), shape('x_real'));
    const xs = E.requireGrad(E.tensor(array('x_syn'), shape('x_syn')));
    const [yr, ys] = [labels('y_real'), labels('y_syn')];
    const { match, dSyn } = E.tidy(() => {
      const params = net.parameters();
      const gReal = E.grad(E.crossEntropy(net.forward(xr), yr), params);
      const gSyn = E.grad(E.crossEntropy(net.forward(xs), ys), params, { createGraph: true });
      const match = gReal.map((g, i) => E.sum(E.square(E.sub(g, gSyn[i])))).reduce((a, b) => E.add(a, b));
      return { match, dSyn: E.grad(match, [xs])[0] };
    });
    expectClose(await match.data(), array('match'), TOL.match, 'matching loss');
    expectClose(await dSyn.data(), array('d_syn'), TOL.match, 'd match / d synthetic images');
    [match, dSyn, xr, xs, yr, ys].forEach((t) => t.dispose());
    net.dispose();
  });
});
