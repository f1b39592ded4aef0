// Kernel tuning: autotune times every candidate tile (autotuneAlgorithm every convolution algorithm) and
// records the fastest per adapter and problem class; the choice is used, survives a save/load round trip
// (also through the cache file), and damaged or foreign entries are ignored. (That every candidate computes the same result: test/cases/conv.cases.ts.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { loadTuningFile, saveTuningFile } from '../../src/node/tuning-file.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();
afterEach(() => E.clearTuning());

it('autotune records the fastest candidate for the problem class, and the kernel uses it', async () => {
  const x = E.randomNormal([2, 8, 6, 6], new E.Random(1), 0, 1);
  const w = E.randomNormal([16, 8, 3, 3], new E.Random(2), 0, 1);
  const key = E.convTuningKey('forward', x.shape, w.shape, { padding: 1 });
  const before = { ...E.convKernels };
  E.convKernels.mode = 'tiled';
  const result = await E.autotune('conv_gemm', key, () => void E.conv2d(x, w, undefined, { padding: 1 }), 2);
  Object.assign(E.convKernels, before);
  expect(result.times).toHaveLength(E.GEMM_TILES.length);
  expect(result.times.every((t) => t > 0)).toBe(true);
  const fastest = result.times.indexOf(Math.min(...result.times));
  expect(result.best).toBe(result.times[fastest] < 0.95 * result.times[0] ? E.GEMM_TILES[fastest] : E.GEMM_TILES[0]);
  expect(E.tileFor('conv_gemm', key)).toBe(result.best);
  expect(E.tileFor('conv_gemm', 'another class')).toBe(E.GEMM_TILES[0]);
  expect(E.withTile(E.GEMM_TILES[2], () => E.tileFor('conv_gemm', key))).toBe(E.GEMM_TILES[2]);
  [x, w].forEach((t) => t.dispose());
});

it('autotuneAlgorithm records the fastest convolution algorithm, and the pass runs it', async () => {
  const x = E.randomNormal([2, 16, 8, 8], new E.Random(1), 0, 1);
  const w = E.randomNormal([16, 16, 3, 3], new E.Random(2), 0, 1);
  const opts = { padding: 1 };
  const key = E.convAlgorithmKey('forward', x.shape, w.shape, opts);
  const result = await E.autotuneAlgorithm(key, () => void E.conv2d(x, w, undefined, opts), 2);
  expect(result.times).toHaveLength(E.CONV_ALGORITHMS.length);
  const fastest = result.times.indexOf(Math.min(...result.times));
  expect(result.best).toBe(result.times[fastest] < 0.95 * result.times[0] ? E.CONV_ALGORITHMS[fastest] : E.CONV_ALGORITHMS[0]);
  expect(E.algorithmFor(key)).toBe(result.best);
  // Which kernels a forward pass dispatches under each recorded choice.
  const shadersRun = (): string[] => {
    const d = E.runtime().dispatcher;
    const seen: string[] = [];
    const run = d.run.bind(d);
    d.run = (call) => (seen.push(call.shader), run(call));
    try {
      E.tidy(() => void E.conv2d(x, w, undefined, opts));
    } finally {
      d.run = run;
    }
    return seen;
  };
  const fullKey = Object.keys(E.tuningSnapshot()).find((k) => k.endsWith(key))!;
  E.loadTuning({ [fullKey]: 'gemm' });
  expect(shadersRun()).not.toContain('winograd_input');
  E.loadTuning({ [fullKey]: 'winograd2' });
  expect(shadersRun()).toContain('winograd_input');
  [x, w].forEach((t) => t.dispose());
});

it('choices survive a save and load, in memory and through the cache file; bad entries are ignored', () => {
  E.loadTuning({
    'adapter | conv_gemm | k': { tn: 2, tmMax: 32 },
    'adapter | conv_gemm | bad': { tn: 3, tmMax: 32 } as E.TileChoice,
    'adapter | conv | forward k': 'winograd2',
    'adapter | conv | forward bad': 'fft' as E.ConvAlgorithm,
  });
  const snapshot = E.tuningSnapshot();
  expect(Object.keys(snapshot)).toEqual(['adapter | conv_gemm | k', 'adapter | conv | forward k']);
  const dir = mkdtempSync(join(tmpdir(), 'hmn-tuning-'));
  try {
    const file = join(dir, 'tuning.json');
    saveTuningFile(file);
    E.clearTuning();
    expect(loadTuningFile(file)).toBe(2);
    expect(E.tuningSnapshot()).toEqual(snapshot);
    writeFileSync(file, '{ not json');
    E.clearTuning();
    expect(loadTuningFile(file)).toBe(0); // a damaged cache costs speed only
    expect(loadTuningFile(join(dir, 'missing.json'))).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
