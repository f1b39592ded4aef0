import { describe, expect, it } from 'vitest';
import { pickedFiles, type PickedFile } from '../../src/data/files.js';
import { loadDatasetFromDir, nodeFiles } from '../../src/data/node-files.js';
import { findDatasetFolder, loadDataset } from '../../src/data/registry.js';
import { DATASETS, realDataset, scratchFolder } from './helpers.js';

const HAVE_REAL = realDataset('cifar-10-batches-bin') && realDataset('tiny-imagenet-200-subset');

function picked(files: Record<string, Uint8Array>): PickedFile[] {
  return Object.entries(files).map(([path, bytes]) => ({
    name: path.split('/').pop()!,
    webkitRelativePath: path,
    arrayBuffer: async () => bytes.slice().buffer,
  }));
}

/** A CIFAR-100 record file of `n` records with fine label 5 and coarse label 1. */
function cifar100(n: number): Uint8Array {
  const out = new Uint8Array(n * 3074);
  for (let r = 0; r < n; r++) out.set([1, 5], r * 3074);
  return out;
}

describe('loadDataset', () => {
  it('makes the built-in dataset without files', async () => {
    const train = await loadDataset('builtin', { split: 'train', perClass: 4, seed: 1 });
    const test = await loadDataset('builtin', { split: 'test', perClass: 4, testPerClass: 2, seed: 1 });
    expect([train.name, train.count, test.count, test.split]).toEqual(['builtin', 40, 20, 'test']);
    await expect(loadDataset('builtin', { split: 'val' })).rejects.toThrow("the built-in dataset has splits 'train' and 'test', not 'val'");
  });

  it('finds a dataset in its folder or under its usual name in a parent folder, also among picked files', async () => {
    const parent = scratchFolder({ 'cifar-100-binary/test.bin': cifar100(3) });
    expect((await findDatasetFolder('cifar100', nodeFiles(parent))).label).toBe(`${parent}/cifar-100-binary`);
    expect((await loadDatasetFromDir('cifar100', { dataDir: parent, split: 'test' })).count).toBe(3);
    expect((await loadDatasetFromDir('cifar100', { dataDir: `${parent}/cifar-100-binary`, split: 'test', labels: 'coarse' })).labels[0]).toBe(1);
    // The browser's folder picker: paths start with the picked folder's name, whatever it is.
    const source = pickedFiles(picked({ 'my-downloads/cifar-100-binary/test.bin': cifar100(2), 'my-downloads/notes.txt': new Uint8Array(1) }));
    expect(source.label).toBe('the picked folder my-downloads');
    const ds = await loadDataset('cifar100', { source, split: 'test' });
    expect([ds.count, ds.labels[0]]).toEqual([2, 5]);
  });

  it('lists the expected files when the folder is wrong', async () => {
    const empty = scratchFolder({ 'readme.txt': 'nothing here' });
    await expect(loadDatasetFromDir('cifar10', { dataDir: empty, split: 'train' })).rejects.toThrow(
      `${empty}: no cifar10 dataset here or in cifar-10-batches-bin/. A CIFAR-10 folder (the "binary version", cifar-10-binary.tar.gz, usually cifar-10-batches-bin/) holds data_batch_1.bin ... data_batch_5.bin, test_batch.bin and batches.meta.txt.`,
    );
    await expect(loadDatasetFromDir('svhn', { dataDir: empty, split: 'train' })).rejects.toThrow(/no svhn dataset here or in svhn\/ or SVHN\/\. An SVHN folder holds the "cropped digits" MAT-files train_32x32\.mat and test_32x32\.mat/);
    await expect(loadDatasetFromDir('tinyimagenet', { dataDir: `${empty}/nope`, split: 'train' })).rejects.toThrow(`${empty}/nope: folder not found. A Tiny-ImageNet-200 folder`);
    await expect(loadDatasetFromDir('cifar10', { split: 'train' })).rejects.toThrow('cifar10: no data folder given. A CIFAR-10 folder');
    await expect(loadDataset('mnist' as 'svhn', { split: 'train', source: nodeFiles(empty) })).rejects.toThrow("unknown dataset 'mnist' (known: cifar10, cifar100, svhn, tinyimagenet, builtin)");
    const partial = scratchFolder({ 'test.bin': cifar100(1) });
    await expect(loadDatasetFromDir('cifar100', { dataDir: partial, split: 'train' })).rejects.toThrow(`${partial}: missing train.bin. A CIFAR-100 folder`);
    await expect(loadDatasetFromDir('cifar100', { dataDir: partial, split: 'extra' })).rejects.toThrow("CIFAR-100 has splits 'train' and 'test', not 'extra'");
  });

  it.skipIf(!HAVE_REAL)('loads the real datasets from the shared datasets folder', async () => {
    const cifar = await loadDatasetFromDir('cifar10', { dataDir: DATASETS, split: 'test' });
    expect([cifar.count, cifar.labels[0]]).toEqual([10000, 3]);
    const tiny = await loadDatasetFromDir('tinyimagenet', { dataDir: DATASETS, split: 'test', limitPerClass: 1 });
    expect([tiny.split, tiny.count, tiny.classes]).toEqual(['val', 200, 200]);
  });
});
