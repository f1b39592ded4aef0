// The warm-up that fits a fresh synthetic set's images to random real images of their class: it lowers the
// fitting error, is deterministic by seed, draws targets of the right class, and as part of the first
// iteration is never repeated by a run resumed from a later checkpoint.
import { describe, expect, it } from 'vitest';
import { Hmn } from '../../src/hmn/model.js';
import { Condenser, DEFAULT_HYPER } from '../../src/condense/condenser.js';
import { warmUpFromReal } from '../../src/condense/warmup.js';
import { decodeAll } from '../../src/hmn/decode-all.js';
import { makeProceduralDataset } from '../../src/data/procedural.js';
import { toFloat, indicesByClass } from '../../src/data/dataset.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

const config = {
  image: { channels: 3, height: 32, width: 32 },
  classes: 3,
  memorySize: 4,
  datasetChannels: 4,
  classChannels: 2,
  instanceChannels: 2,
  extractorChannels: 2,
  extractorKernel: 3 as const,
  decoderChannels: [6, 4, 4],
  imagesPerClass: 2,
};
const data = makeProceduralDataset({ perClass: 6, classes: 3, seed: 4 });

/** Mean squared distance of image i of `images` to the nearest real image of class c and of other classes. */
function nearest(images: Float32Array, i: number, c: number) {
  const per = 3 * 32 * 32;
  const real = toFloat(data);
  const byClass = indicesByClass(data.labels, 3);
  const dist = (j: number) => {
    let s = 0;
    for (let k = 0; k < per; k++) s += (images[i * per + k] - real[j * per + k]) ** 2;
    return s / per;
  };
  const own = Math.min(...byClass[c].map(dist));
  const other = Math.min(...byClass.flatMap((idx, k) => (k === c ? [] : idx)).map(dist));
  return { own, other };
}

describe('warm-up from real images', () => {
  it('fits every image towards a real image of its own class, deterministically', async () => {
    const a = Hmn.create(config, 1);
    const losses = await warmUpFromReal(a, data, { steps: 60, lr: 0.02, seed: 3 });
    expect(losses).toHaveLength(60);
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]);
    const images = (await decodeAll(a)).images;
    // Most images now lie nearer a real image of their class than any image of the others.
    const closer = Array.from({ length: a.rows }, (_, r) => nearest(images, r, a.instanceClass[r])).filter((d) => d.own < d.other).length;
    expect(closer).toBeGreaterThanOrEqual(a.rows - 1);

    const b = Hmn.create(config, 1);
    expect(await warmUpFromReal(b, data, { steps: 60, lr: 0.02, seed: 3 })).toEqual(losses);
    expect((await b.stateDict())['decoder.3.weight'].data).toEqual((await a.stateDict())['decoder.3.weight'].data);
    a.dispose();
    b.dispose();
  }, 120_000);

  it('runs once, in the first iteration: a condenser restored at iteration 1 does not repeat it', async () => {
    const hyper = { ...DEFAULT_HYPER, iterations: 2, innerSteps: 1, realBatch: 4, synBatch: 2, netWidth: 8, warmupSteps: 5 };
    const h = Hmn.create(config, 2);
    const c = new Condenser(h, data, hyper, 7);
    await c.step();
    expect(c.warmupCurve).toHaveLength(5);
    const progress = await c.progress();
    const resumed = new Condenser(h, data, hyper, 7);
    resumed.restore(progress);
    await resumed.step();
    expect(resumed.warmupCurve).toHaveLength(0);
    c.dispose();
    resumed.dispose();
    h.dispose();
  }, 120_000);

  it('refuses bad settings', async () => {
    const h = Hmn.create(config, 1);
    await expect(warmUpFromReal(h, data, { steps: -1, lr: 0.01, seed: 0 })).rejects.toThrow(/steps must be a whole number >= 0, got -1/);
    await expect(warmUpFromReal(h, data, { steps: 1, lr: 0, seed: 0 })).rejects.toThrow(/learning rate must be > 0, got 0/);
    h.dispose();
  });
});
