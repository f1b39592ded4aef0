// A few condensation iterations lower the matching distance, measured on fixed networks and batches.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { Hmn } from '../../src/hmn/model.js';
import { Condenser, DEFAULT_HYPER, type LabelledImages } from '../../src/condense/condenser.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

/** Four classes of 32x32 images: a coloured square in a class-specific corner on noise. */
function toyData(perClass: number, seed: number): LabelledImages {
  const rng = new E.Random(seed);
  const classes = 4, n = classes * perClass, size = 32;
  const images = new Uint8Array(n * 3 * size * size);
  const labels = new Int32Array(n);
  const noise = rng.uniform(images.length, 0, 80);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const [oy, ox] = [(c >> 1) * 16, (c & 1) * 16];
    for (let ch = 0; ch < 3; ch++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const j = ((i * 3 + ch) * size + y) * size + x;
      const inside = y >= oy + 2 && y < oy + 14 && x >= ox + 2 && x < ox + 14;
      images[j] = noise[j] + (inside ? 160 + 15 * ((c + ch) % 3) : 0);
    }
  }
  return { images, labels, count: n, channels: 3, height: 32, width: 32, classes };
}

it('a few condensation iterations lower the matching distance on fixed evaluation networks', async () => {
  const data = toyData(16, 1);
  const hmn = Hmn.create(
    { image: { channels: 3, height: 32, width: 32 }, classes: 4, memorySize: 4, datasetChannels: 8, classChannels: 4, instanceChannels: 3, extractorChannels: 4, extractorKernel: 3, decoderChannels: [12, 8, 8], imagesPerClass: 4 },
    7,
  );
  const hyper = { ...DEFAULT_HYPER, iterations: 4, innerSteps: 3, realBatch: 8, synBatch: 4, netWidth: 16, hmnLr: 0.05 };
  const condenser = new Condenser(hmn, data, hyper, 11);
  const before = await condenser.evaluate([101, 102]);
  for (let i = 0; i < hyper.iterations; i++) await condenser.step();
  const after = await condenser.evaluate([101, 102]);
  expect(condenser.lossCurve.length).toBe(4);
  expect(condenser.lossCurve.every(Number.isFinite)).toBe(true);
  console.log(`matching distance on fixed nets: before ${before.toFixed(4)}, after ${after.toFixed(4)}; training losses ${condenser.lossCurve.map((l) => l.toFixed(4)).join(' ')}`);
  expect(after).toBeLessThan(before * 0.9);
  condenser.dispose();
  hmn.dispose();
}, 300_000);
