// GPU memory must not grow over a long run: 300 ConvNet-3 training steps (batch 4, width 32, 32x32 images,
// SGD with momentum and weight decay), each inside tidy(), leave the pool's live bytes and buffers exactly
// where they were after step 1, no step after the first reaches a new peak, and the pool creates no buffer
// after step 1 (the optimizer's state exists from its construction). Small batch and width keep
// the run to seconds on lavapipe; the bookkeeping under test is the same at any size.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

const STEPS = 300;

it(`${STEPS} ConvNet-3 training steps: live bytes after the last step equal those after the first, no new peak`, async () => {
  const rng = new E.Random(3);
  const net = new E.ConvNet({ inChannels: 3, classes: 10, width: 32, depth: 3, imageSize: 32, seed: 1 });
  const opt = new E.SGD(net.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = E.keep(E.randomNormal([4, 3, 32, 32], rng));
  const y = E.keep(E.tensor(Int32Array.from([0, 3, 5, 9]), [4], 'i32'));
  const step = () =>
    E.tidy(() => {
      opt.zeroGrad();
      E.backward(E.crossEntropy(net.forward(x), y));
      opt.step();
    });
  const evalLoss = async () => {
    const loss = E.tidy(() => E.noGrad(() => E.crossEntropy(net.forward(x), y)));
    const value = await loss.item();
    loss.dispose();
    return value;
  };

  const lossBefore = await evalLoss();
  E.runtime().pool.resetPeak(); // the peak from here on is the training steps' own
  const start = performance.now();
  step();
  await E.sync();
  const afterFirst = E.memory();
  for (let i = 2; i <= STEPS; i++) {
    step();
    if (i % 25 === 0) await E.sync();
  }
  await E.sync();
  const afterLast = E.memory();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${STEPS} steps in ${seconds.toFixed(1)} s; live ${afterLast.liveBytes} B in ${afterLast.liveBuffers} buffers, peak ${afterLast.peakBytes} B, ${afterLast.created} buffers created`);

  expect(afterLast.liveBytes).toBe(afterFirst.liveBytes);
  expect(afterLast.liveBuffers).toBe(afterFirst.liveBuffers);
  expect(afterLast.peakBytes).toBe(afterFirst.peakBytes);
  // Every later step is served from buffers the pool made during step 1.
  expect(afterLast.created).toBe(afterFirst.created);
  expect(afterLast.reservedBytes).toBe(afterFirst.reservedBytes);
  // The steps were real: the loss on the fixed batch went down.
  expect(await evalLoss()).toBeLessThan(0.5 * lossBefore);
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
}, 120_000);
