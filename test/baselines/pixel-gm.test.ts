// Pixel-space gradient matching is the HMN's condenser over a PixelSet: a few iterations lower the
// matching distance on fixed networks and batches.
import { expect, it } from 'vitest';
import { makeProceduralDataset } from '../../src/data/procedural.js';
import { Condenser } from '../../src/condense/condenser.js';
import { PIXEL_GM_HYPER, PixelSet } from '../../src/baselines/pixels.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

it('a few pixel gradient-matching iterations lower the matching distance on fixed networks', async () => {
  const data = makeProceduralDataset({ perClass: 20, classes: 4, seed: 1 });
  const set = PixelSet.fromReal(data, 2, 3);
  // The default pixel learning rate (Adam 0.01): slow but steady on this tiny network.
  const hyper = { ...PIXEL_GM_HYPER, iterations: 8, innerSteps: 3, realBatch: 16, synBatch: 2, netWidth: 16 };
  const condenser = new Condenser(set, data, hyper, 5);
  try {
    const initial = (await set.images()).images;
    const before = await condenser.evaluate([201, 202]);
    for (let i = 0; i < hyper.iterations; i++) await condenser.step();
    const after = await condenser.evaluate([201, 202]);
    console.log(`pixel GM distance on fixed nets: before ${before.toFixed(4)}, after ${after.toFixed(4)}; losses ${condenser.lossCurve.map((l) => l.toFixed(4)).join(' ')}`);
    expect(condenser.lossCurve.length).toBe(8);
    expect(after).toBeLessThan(before * 0.9);
    // The pixels themselves moved, and only they are stored.
    expect((await set.images()).images).not.toEqual(initial);
    expect(set.parameterCount()).toBe(2 * 4 * 3 * 32 * 32);
  } finally {
    condenser.dispose();
    set.dispose();
  }
}, 120_000);
