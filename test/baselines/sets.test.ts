// Random real images, the pixel container and the image-set file: the baselines' storage side.
import { describe, expect, it } from 'vitest';
import { indicesByClass, toFloat, subset } from '../../src/data/dataset.js';
import { makeProceduralDataset } from '../../src/data/procedural.js';
import { pickRealIndices, randomReal } from '../../src/baselines/random-real.js';
import { PixelSet } from '../../src/baselines/pixels.js';
import { readImageSet, writeImageSet } from '../../src/io/image-set.js';
import { DataError } from '../../src/io/errors.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

const data = makeProceduralDataset({ perClass: 12, classes: 4, size: 16, seed: 2 });
const per = 3 * 16 * 16;

describe('randomReal', () => {
  it('draws ipc distinct images of every class, grouped by class, as bytes / 255', () => {
    const picked = pickRealIndices(data, 5, 7);
    expect(picked.length).toBe(20);
    expect(new Set(picked).size).toBe(20);
    picked.forEach((i, k) => expect(data.labels[i]).toBe(Math.floor(k / 5)));
    const set = randomReal(data, 5, 7);
    expect(set).toMatchObject({ count: 20, channels: 3, height: 16, width: 16, classes: 4 });
    expect(Array.from(set.labels)).toEqual(picked.map((i) => data.labels[i]));
    expect(set.images).toEqual(toFloat(data, picked));
    expect(set.images[0]).toBeCloseTo(data.images[picked[0] * per] / 255, 7);
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(pickRealIndices(data, 4, 3)).toEqual(pickRealIndices(data, 4, 3));
    expect(pickRealIndices(data, 4, 3)).not.toEqual(pickRealIndices(data, 4, 4));
  });

  it('refuses a class with fewer images than ipc, naming it', () => {
    expect(() => randomReal(data, 13, 0)).toThrow(/class 0 .* has 12 images, fewer than 13/);
    // One class short: drop images of class 2 only.
    const byClass = indicesByClass(data.labels, data.classes);
    const short = subset(data, [...byClass[0], ...byClass[1], ...byClass[2].slice(0, 2), ...byClass[3]].sort((a, b) => a - b));
    expect(() => randomReal(short, 3, 0)).toThrow(/class 2 .* has 2 images, fewer than 3/);
    expect(randomReal(short, 2, 0).count).toBe(8);
  });
});

describe('PixelSet', () => {
  it('stores exactly ipc x classes x C x H x W floats, starting from the chosen real images / 255', async () => {
    const set = PixelSet.fromReal(data, 3, 5);
    try {
      expect(set.parameterCount()).toBe(3 * 4 * per);
      expect(set.parameters().reduce((n, t) => n + t.size, 0)).toBe(3 * 4 * per);
      expect(set.ipc).toBe(3);
      const picked = pickRealIndices(data, 3, 5);
      const out = await set.images();
      expect(out.images).toEqual(Float32Array.from(picked.flatMap((i) => Array.from(data.images.subarray(i * per, (i + 1) * per), (v) => v / 255))));
      expect(Array.from(out.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    } finally {
      set.dispose();
    }
  });

  it('decodes the stored images of the rows asked for, exactly', async () => {
    const set = PixelSet.fromReal(data, 3, 5);
    try {
      const stored = (await set.images()).images;
      expect(set.rowsOfClass(2)).toEqual([6, 7, 8]);
      const rows = [8, 6];
      const decoded = set.decode(rows);
      expect(decoded.shape).toEqual([2, 3, 16, 16]);
      expect(await decoded.floats()).toEqual(Float32Array.from([...stored.subarray(8 * per, 9 * per), ...stored.subarray(6 * per, 7 * per)]));
      decoded.dispose();
      expect(() => set.decode([12])).toThrow(/out of range/);
    } finally {
      set.dispose();
    }
  });

  it('refuses classes of different sizes (the budget would not be ipc per class)', () => {
    const uneven = randomReal(data, 2, 0);
    uneven.labels[1] = 1;
    expect(() => new PixelSet(uneven)).toThrow(/same number of images/);
  });
});

describe('image-set file', () => {
  it('round-trips images, labels, class names and method; u8 stores clamped bytes', () => {
    const set = randomReal(data, 2, 1);
    set.images[0] = 1.5; // unclamped pixels survive F32
    const back = readImageSet(writeImageSet(set, { classNames: data.classNames, method: 'random', source: 'test' }));
    expect(back.images).toEqual(set);
    expect(back.classNames).toEqual(data.classNames);
    expect(back.metadata).toMatchObject({ method: 'random', source: 'test' });
    const bytes = readImageSet(writeImageSet(set, { classNames: data.classNames }, 'u8')).images;
    expect(bytes.images[0]).toBe(1);
    expect(bytes.images[1]).toBeCloseTo(Math.round(set.images[1] * 255) / 255, 6);
  });

  it('reads a file without class names (classes 0..max label) and refuses broken ones', () => {
    const set = randomReal(data, 1, 1);
    expect(() => writeImageSet(set, { classNames: ['a'] })).toThrow(/1 class names for 4 classes/);
    const good = writeImageSet(set, { classNames: data.classNames });
    const noNames = good.slice();
    // Rename the metadata key in place (same length), so the file parses but has no classNames.
    const header = new TextDecoder().decode(noNames.subarray(8, 8 + Number(new DataView(noNames.buffer).getBigUint64(0, true))));
    const at = header.indexOf('classNames');
    noNames.set(new TextEncoder().encode('classNamez'), 8 + at);
    const unnamed = readImageSet(noNames, 'x.safetensors');
    expect(unnamed.images.classes).toBe(Math.max(...set.labels) + 1);
    expect(unnamed.classNames).toEqual(Array.from({ length: unnamed.images.classes }, (_, c) => String(c)));
    expect(Array.from(unnamed.images.images)).toEqual(Array.from(set.images));
    const badJson = good.slice();
    // Break the JSON of the class names: its opening bracket's escaped quote becomes a letter.
    const value = header.indexOf('[', at);
    badJson.set(new TextEncoder().encode('x'), 8 + value);
    expect(() => readImageSet(badJson, 'y.safetensors')).toThrow(DataError);
    expect(() => readImageSet(badJson, 'y.safetensors')).toThrow(/y.safetensors: the metadata's 'classNames' is not valid JSON/);
  });
});
