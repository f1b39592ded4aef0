// The app's file picking (src/web/data.ts) without a browser: picked files and a zip of the dataset's
// folder become the same training set; a damaged zip is refused with its name. (Node 20 has File.)
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadSplit, sourceFromFiles } from '../../src/web/data.js';

/** A CIFAR-10 batch of `n` records: label r % 10, pixels all equal to r. */
function batch(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n * 3073);
  for (let r = 0; r < n; r++) {
    out[r * 3073] = r % 10;
    out.fill(r, r * 3073 + 1, (r + 1) * 3073);
  }
  return out;
}

const NAMES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

describe('the app’s dataset files', () => {
  it('reads picked files and a zip of the folder alike', async () => {
    const files = NAMES.map((name) => new File([batch(20)], name));
    const picked = await loadSplit({ dataset: 'cifar10', perClass: 0, source: await sourceFromFiles(files) }, 'train');
    expect(picked.count).toBe(100);
    const zip = zipSync(Object.fromEntries(NAMES.map((n) => [`cifar-10-batches-bin/${n}`, batch(20)])));
    const zipped = await loadSplit({ dataset: 'cifar10', perClass: 0, source: await sourceFromFiles([new File([new Uint8Array(zip)], 'cifar-10-binary.zip')]) }, 'train');
    expect(zipped.count).toBe(100);
    expect(zipped.images).toEqual(picked.images);
    expect(zipped.labels).toEqual(picked.labels);
  });

  it('names a damaged zip and a dataset without files', async () => {
    await expect(sourceFromFiles([new File([new Uint8Array([80, 75, 3, 4, 1, 2, 3])], 'tiny-imagenet-200.zip')])).rejects.toThrow(/^tiny-imagenet-200\.zip: not a readable zip file/);
    await expect(loadSplit({ dataset: 'svhn', perClass: 0 }, 'train')).rejects.toThrow('svhn: pick its files first (the folder, its files, or a zip of the folder)');
  });
});
