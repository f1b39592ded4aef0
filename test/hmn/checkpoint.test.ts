// Checkpoints: a run stopped after k iterations, saved to bytes, freed and restored from those bytes
// continues to exactly the parameters, Adam moments and loss curve of a run that never stopped.
import { describe, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { Hmn } from '../../src/hmn/model.js';
import { Condenser, DEFAULT_HYPER } from '../../src/condense/condenser.js';
import { dataChecksum, decodeCheckpoint, decodeHmn, describeMismatch, encodeCheckpoint, encodeHmn, type RunDescription } from '../../src/condense/checkpoint.js';
import { makeProceduralDataset } from '../../src/data/procedural.js';
import { DataError } from '../../src/io/errors.js';
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
  imagesPerClass: 3,
};
const hyper = { ...DEFAULT_HYPER, iterations: 3, innerSteps: 2, realBatch: 4, synBatch: 2, netWidth: 8, hmnLr: 0.02 };
const data = makeProceduralDataset({ perClass: 6, classes: 3, seed: 4 });
const run: RunDescription = {
  dataset: 'builtin',
  data: { name: data.name, split: data.split, count: data.count, checksum: dataChecksum(data.images, data.labels) },
  ipc: 1,
  overBudget: 0,
  seed: 9,
  hyper: { ...hyper },
  config,
};

async function snapshot(hmn: Hmn, c: Condenser) {
  return { params: await hmn.stateDict(), progress: await c.progress() };
}

describe('condensation checkpoints', () => {
  it('resuming from a checkpoint gives exactly the uninterrupted run', async () => {
    const straight = Hmn.create(config, 5);
    const a = new Condenser(straight, data, hyper, run.seed);
    for (let i = 0; i < 3; i++) await a.step();
    const expected = await snapshot(straight, a);
    a.dispose();
    straight.dispose();

    const first = Hmn.create(config, 5);
    const b = new Condenser(first, data, hyper, run.seed);
    await b.step();
    await b.step();
    const bytes = await encodeCheckpoint(first, await b.progress(), run, data.classNames);
    b.dispose();
    first.dispose();

    const saved = decodeCheckpoint(bytes);
    expect(saved.run).toEqual(run);
    expect(saved.progress.iteration).toBe(2);
    const c = new Condenser(saved.hmn, data, hyper, run.seed);
    c.restore(saved.progress);
    await c.step();
    const resumed = await snapshot(saved.hmn, c);
    c.dispose();
    saved.hmn.dispose();

    expect(resumed.progress.iteration).toBe(3);
    expect(resumed.progress.lossCurve).toEqual(expected.progress.lossCurve);
    expect(Object.keys(resumed.params)).toEqual(Object.keys(expected.params));
    for (const name of Object.keys(expected.params)) expect(resumed.params[name].data, name).toEqual(expected.params[name].data);
    expect(resumed.progress.adam.steps).toEqual(expected.progress.adam.steps);
    for (const name of Object.keys(expected.progress.adam.buffers)) expect(resumed.progress.adam.buffers[name], name).toEqual(expected.progress.adam.buffers[name]);
    // And the run did move: the parameters differ from a fresh HMN's.
    const fresh = Hmn.create(config, 5);
    expect((await fresh.stateDict())['memory.instance'].data).not.toEqual(expected.params['memory.instance'].data);
    fresh.dispose();
  }, 300_000);

  it('hmn.safetensors round-trips the HMN and its decoded images', async () => {
    const hmn = Hmn.create(config, 2);
    const names = ['a', 'b', 'c'];
    const back = decodeHmn(await encodeHmn(hmn, names));
    expect(back.classNames).toEqual(names);
    expect(Array.from(back.hmn.instanceClass)).toEqual(Array.from(hmn.instanceClass));
    const rows = [0, 4, 8];
    const x = E.noGrad(() => hmn.decode(rows));
    const y = E.noGrad(() => back.hmn.decode(rows));
    expect(await y.floats()).toEqual(await x.floats());
    [x, y].forEach((t) => t.dispose());
    back.hmn.dispose();
    hmn.dispose();
  });

  it('rejects damaged or foreign files with a message naming the file', async () => {
    const hmn = Hmn.create(config, 2);
    const good = await encodeHmn(hmn, ['a', 'b', 'c']);
    hmn.dispose();
    expect(() => decodeHmn(good.subarray(0, good.length - 10), 'x/hmn.safetensors')).toThrow(DataError);
    expect(() => decodeHmn(good.subarray(0, good.length - 10), 'x/hmn.safetensors')).toThrow(/^x\/hmn\.safetensors: /);
    expect(() => decodeCheckpoint(good, 'x/checkpoint.safetensors')).toThrow(/x\/checkpoint\.safetensors: not a condensation checkpoint/);
  });

  it('names every option that differs from the checkpointed run, except a longer run', () => {
    expect(describeMismatch(run, { ...run, hyper: { ...run.hyper, iterations: 50 } })).toEqual([]);
    const diff = describeMismatch(run, { ...run, seed: 10, hyper: { ...run.hyper, hmnLr: 0.1 }, data: { ...run.data, checksum: 'other' } });
    expect(diff.join('\n')).toMatch(/seed: 9 then, 10 now/);
    expect(diff.join('\n')).toMatch(/hmnLr: 0.02 then, 0.1 now/);
    expect(diff.join('\n')).toMatch(/training images/);
  });
});
