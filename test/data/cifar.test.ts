import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCifar10, loadCifar100 } from '../../src/data/cifar.js';
import { indicesByClass, type ImageDataset } from '../../src/data/dataset.js';
import { nodeFiles } from '../../src/data/node-files.js';
import { realDataset, scratchFolder } from './helpers.js';

const CIFAR10 = realDataset('cifar-10-batches-bin');

/** The first `n` bytes of a file. */
function head(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  const out = new Uint8Array(n);
  readSync(fd, out, 0, n, 0);
  closeSync(fd);
  return out;
}

describe.skipIf(!CIFAR10)('CIFAR-10 (real files)', () => {
  let train: ImageDataset;
  let test: ImageDataset;
  beforeAll(async () => {
    const start = performance.now();
    train = await loadCifar10(nodeFiles(CIFAR10!), 'train');
    console.log(`CIFAR-10 train: ${train.count} images in ${(performance.now() - start).toFixed(0)} ms`);
    test = await loadCifar10(nodeFiles(CIFAR10!), 'test');
  });

  it('has 50000 train images, 5000 per class, and 10000 test images, 1000 per class', () => {
    expect([train.count, train.channels, train.height, train.width, train.classes]).toEqual([50000, 3, 32, 32, 10]);
    expect(indicesByClass(train.labels, 10).map((i) => i.length)).toEqual(new Array(10).fill(5000));
    expect(test.count).toBe(10000);
    expect(indicesByClass(test.labels, 10).map((i) => i.length)).toEqual(new Array(10).fill(1000));
  });

  it('reads class names from batches.meta.txt and the known first labels', () => {
    expect(train.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([6, 9, 9, 4, 1]); // frog, truck, truck, deer, automobile
    expect(test.labels[0]).toBe(3); // the first test image is a cat
  });

  it('keeps each record\'s pixels as the NCHW image, batch by batch', () => {
    const first = head(join(CIFAR10!, 'data_batch_1.bin'), 2 * 3073);
    expect(train.images.subarray(0, 3072)).toEqual(first.subarray(1, 3073));
    expect(train.images.subarray(3072, 6144)).toEqual(first.subarray(3074, 6146));
    const second = head(join(CIFAR10!, 'data_batch_2.bin'), 3073);
    expect(train.labels[10000]).toBe(second[0]);
    expect(train.images.subarray(10000 * 3072, 10001 * 3072)).toEqual(second.subarray(1));
  });
});

/** CIFAR records: <label bytes...><3072 pixels>, pixels derived from (record, position). */
function records(labels: number[][]): Uint8Array {
  const size = labels[0].length + 3072;
  const out = new Uint8Array(labels.length * size);
  labels.forEach((ls, r) => {
    out.set(ls, r * size);
    for (let p = 0; p < 3072; p++) out[r * size + ls.length + p] = (r * 13 + p) % 256;
  });
  return out;
}

describe('CIFAR-10 (written by the test)', () => {
  const batch = records([[3], [0], [9]]);
  const files = {
    'data_batch_1.bin': batch, 'data_batch_2.bin': batch, 'data_batch_3.bin': batch, 'data_batch_4.bin': batch, 'data_batch_5.bin': batch,
    'test_batch.bin': records([[1], [2]]),
  };

  it('loads batches of any whole number of records, with the official names when batches.meta.txt is absent', async () => {
    const ds = await loadCifar10(nodeFiles(scratchFolder(files)), 'train');
    expect(ds.count).toBe(15);
    expect(Array.from(ds.labels.subarray(0, 4))).toEqual([3, 0, 9, 3]);
    expect(ds.images[3072 + 5]).toBe((13 + 5) % 256);
    expect(ds.classNames[0]).toBe('airplane');
  });

  it('says what is wrong: truncated file, bad label, missing files, names file', async () => {
    const truncated = scratchFolder({ ...files, 'test_batch.bin': records([[1], [2]]).subarray(0, 2 * 3073 - 1) });
    await expect(loadCifar10(nodeFiles(truncated), 'test')).rejects.toThrow(
      /test_batch\.bin has 6,145 bytes, not a whole number of 3073-byte records; a CIFAR-10 batch is 10000 records of 3073 bytes \(a label byte, then 32x32x3 pixels\): truncated\?/,
    );
    const badLabel = scratchFolder({ ...files, 'data_batch_4.bin': records([[1], [12]]) });
    await expect(loadCifar10(nodeFiles(badLabel), 'train')).rejects.toThrow(/data_batch_4\.bin: record 1 has label 12; CIFAR-10 labels are 0\.\.9/);
    const missing = scratchFolder({ 'data_batch_1.bin': batch, 'data_batch_2.bin': batch });
    await expect(loadCifar10(nodeFiles(missing), 'train')).rejects.toThrow(/missing data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin\. A CIFAR-10 folder/);
    const badNames = scratchFolder({ ...files, 'batches.meta.txt': 'cat\ndog\n' });
    await expect(loadCifar10(nodeFiles(badNames), 'test')).rejects.toThrow(/batches\.meta\.txt lists 2 class names; expected 10/);
    await expect(loadCifar10(nodeFiles(scratchFolder(files)), 'val' as 'test')).rejects.toThrow("CIFAR-10 has splits 'train' and 'test', not 'val'");
  });
});

describe('CIFAR-100 (written by the test in the official binary format)', () => {
  const fine = Array.from({ length: 100 }, (_, i) => `fine_${i}`).join('\n') + '\n';
  const coarse = Array.from({ length: 20 }, (_, i) => `coarse_${i}`).join('\r\n') + '\r\n';
  const folder = scratchFolder({
    'train.bin': records([[4, 30], [19, 99], [0, 0], [4, 31]]),
    'test.bin': records([[7, 50]]),
    'fine_label_names.txt': fine,
    'coarse_label_names.txt': coarse,
  });

  it('reads fine labels by default, coarse on request, and both label sets', async () => {
    const ds = await loadCifar100(nodeFiles(folder), 'train');
    expect([ds.name, ds.count, ds.classes]).toEqual(['cifar100', 4, 100]);
    expect(Array.from(ds.labels)).toEqual([30, 99, 0, 31]);
    expect(ds.classNames[99]).toBe('fine_99');
    expect(Array.from(ds.coarseLabels)).toEqual([4, 19, 0, 4]);
    expect(ds.images.subarray(3072, 6144)).toEqual(records([[4, 30], [19, 99]]).subarray(3074 + 2, 2 * 3074));
    const coarseDs = await loadCifar100(nodeFiles(folder), 'test', { labels: 'coarse' });
    expect([coarseDs.classes, coarseDs.labels[0], coarseDs.classNames[7]]).toEqual([20, 7, 'coarse_7']);
  });

  it('names classes generically without the names files, and rejects bad files', async () => {
    const bare = scratchFolder({ 'test.bin': records([[7, 50]]) });
    expect((await loadCifar100(nodeFiles(bare), 'test')).classNames[50]).toBe('fine-50');
    const badFine = scratchFolder({ 'test.bin': records([[7, 100]]) });
    await expect(loadCifar100(nodeFiles(badFine), 'test')).rejects.toThrow(/test\.bin: record 0 has fine label 100; CIFAR-100 fine labels are 0\.\.99/);
    const badCoarse = scratchFolder({ 'test.bin': records([[20, 1]]) });
    await expect(loadCifar100(nodeFiles(badCoarse), 'test')).rejects.toThrow(/record 0 has coarse label 20; CIFAR-100 coarse labels are 0\.\.19/);
    const cifar10Sized = scratchFolder({ 'test.bin': records([[1], [2]]) });
    await expect(loadCifar100(nodeFiles(cifar10Sized), 'test')).rejects.toThrow(/test\.bin has 6,146 bytes, not a whole number of 3074-byte records/);
    const empty = scratchFolder({ 'train.bin': new Uint8Array(0) });
    await expect(loadCifar100(nodeFiles(empty), 'train')).rejects.toThrow(/train\.bin is empty/);
    await expect(loadCifar100(nodeFiles(bare), 'train')).rejects.toThrow(/missing train\.bin\. A CIFAR-100 folder/);
  });
});
