// GPU memory must not grow over a long run: 300 ConvNet-3 training steps (batch 4, width 32, 32x32, SGD
// with momentum) leave the pool's live bytes exactly where they were after the first step, and the peak
// is reached in the first steps.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

it('300 training steps keep live pool bytes constant after step 1', async () => {
  const rng = new E.Random(3);
  const net = new E.ConvNet({ inChannels: 3, classes: 10, width: 32, depth: 3, imageSize: 32, seed: 1 });
  const opt = new E.SGD(net.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = E.keep(E.randomNormal([4, 3, 32, 32], rng));
  const y = E.keep(E.tensor(Int32Array.from([0, 3, 5, 9]), [4], 'i32'));
  const step = () =>
    E.tidy(() => {
      opt.zeroGrad();
      const loss = E.crossEntropy(net.forward(x), y);
      E.backward(loss);
      opt.step();
    });
  step();
  await E.sync();
  const afterFirst = E.memory();
  let warm = afterFirst;
  for (let i = 2; i <= 300; i++) {
    step();
    if (i % 25 === 0) await E.sync();
    if (i === 10) {
      await E.sync();
      warm = E.memory();
    }
  }
  await E.sync();
  const afterLast = E.memory();
  expect(afterLast.liveBytes).toBe(afterFirst.liveBytes);
  expect(afterLast.liveBuffers).toBe(afterFirst.liveBuffers);
  // After a 10-step warm-up the pool serves every step from reuse: no new buffers, no growth, no new peak.
  expect(afterLast.created).toBe(warm.created);
  expect(afterLast.reservedBytes).toBe(warm.reservedBytes);
  expect(afterLast.peakBytes).toBe(warm.peakBytes);
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
}, 300_000);
