import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { indicesByClass, type ImageDataset } from '../../src/data/dataset.js';
import { bytesFiles, readLines } from '../../src/data/files.js';
import { decodeJpegPlanar } from '../../src/data/jpeg.js';
import { nodeFiles } from '../../src/data/node-files.js';
import { loadTinyImageNet } from '../../src/data/tiny-imagenet.js';
import { realDataset } from './helpers.js';
import { hasPythonModule } from '../helpers/python.js';

const TINY = realDataset('tiny-imagenet-200-subset');

/** The number of colour components in a baseline or progressive JPEG's frame header. */
function jpegComponents(bytes: Uint8Array): number {
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) throw new Error('not at a JPEG marker');
    const marker = bytes[at + 1];
    if (marker >= 0xc0 && marker <= 0xc2) return bytes[at + 9];
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  throw new Error('no frame header');
}

const hasPil = hasPythonModule('PIL');

describe.skipIf(!TINY)('Tiny-ImageNet (the real subset)', () => {
  let wnids: string[];
  let train: ImageDataset;
  let val: ImageDataset;
  beforeAll(async () => {
    const source = nodeFiles(TINY!);
    wnids = await readLines(source, 'wnids.txt');
    train = await loadTinyImageNet(source, 'train', { limitPerClass: 2 });
    val = await loadTinyImageNet(source, 'val', { limitPerClass: 2 });
  });

  it('has 200 classes with 25 train images each here, and 10000 val images, 50 per class', async () => {
    const source = nodeFiles(TINY!);
    expect(wnids.length).toBe(200);
    const perClass = await Promise.all(wnids.map(async (id) => (await source.list(`train/${id}/images`)).filter((f) => f.endsWith('.JPEG')).length));
    expect(new Set(perClass)).toEqual(new Set([25]));
    const annotations = await readLines(source, 'val/val_annotations.txt');
    expect(annotations.length).toBe(10000);
    const counts = new Map<string, number>();
    for (const line of annotations) counts.set(line.split('\t')[1], (counts.get(line.split('\t')[1]) ?? 0) + 1);
    expect([counts.size, ...new Set(counts.values())]).toEqual([200, 50]);
  });

  it('loads both splits in wnids.txt class order, limited per class, as 64x64 RGB', () => {
    for (const ds of [train, val]) {
      expect([ds.name, ds.count, ds.channels, ds.height, ds.width, ds.classes]).toEqual(['tinyimagenet', 400, 3, 64, 64, 200]);
      expect(new Set(indicesByClass(ds.labels, 200).map((i) => i.length))).toEqual(new Set([2]));
    }
    expect([train.split, val.split]).toEqual(['train', 'val']);
    expect(train.classNames[wnids.indexOf('n02124075')]).toBe('Egyptian cat');
    // The first train image is <wnid 0>_0.JPEG (numeric order: _0, _1, not _0, _10).
    const first = decodeJpegPlanar(new Uint8Array(readFileSync(join(TINY!, `train/${wnids[0]}/images/${wnids[0]}_0.JPEG`))), 'x');
    expect(train.images.subarray(0, 3 * 64 * 64)).toEqual(first.pixels);
    const second = decodeJpegPlanar(new Uint8Array(readFileSync(join(TINY!, `train/${wnids[0]}/images/${wnids[0]}_1.JPEG`))), 'x');
    expect(train.images.subarray(3 * 64 * 64, 6 * 64 * 64)).toEqual(second.pixels);
    // val: the first annotation line is val_0.JPEG.
    const [file, wnid] = readFileSync(join(TINY!, 'val/val_annotations.txt'), 'utf8').split('\n')[0].split('\t');
    expect(val.labels[0]).toBe(wnids.indexOf(wnid));
    const val0 = decodeJpegPlanar(new Uint8Array(readFileSync(join(TINY!, 'val/images', file))), file);
    expect(val.images.subarray(0, 3 * 64 * 64)).toEqual(val0.pixels);
  });

  it('turns greyscale JPEGs into RGB with R = G = B', async () => {
    // Pick greyscale and colour images among the first 600 val images, and load just those.
    const lines = readFileSync(join(TINY!, 'val/val_annotations.txt'), 'utf8').split('\n').slice(0, 600);
    const grey: string[] = [];
    const colour: string[] = [];
    const files: Record<string, Uint8Array> = {};
    for (const line of lines) {
      const name = line.split('\t')[0];
      const bytes = new Uint8Array(readFileSync(join(TINY!, 'val/images', name)));
      (jpegComponents(bytes) === 1 ? grey : colour).push(line);
      files[`val/images/${name}`] = bytes;
    }
    expect(grey.length).toBeGreaterThan(3); // about 2% of the images
    files['wnids.txt'] = readFileSync(join(TINY!, 'wnids.txt'));
    files['words.txt'] = readFileSync(join(TINY!, 'words.txt'));
    files['val/val_annotations.txt'] = new TextEncoder().encode([...grey, ...colour.slice(0, 5)].join('\n'));
    const ds = await loadTinyImageNet(bytesFiles(files), 'test');
    const plane = 64 * 64;
    for (let i = 0; i < ds.count; i++) {
      const img = ds.images.subarray(i * 3 * plane, (i + 1) * 3 * plane);
      const equalPlanes = img.subarray(0, plane).every((r, p) => r === img[plane + p] && r === img[2 * plane + p]);
      expect(equalPlanes, `image ${i} (${i < grey.length ? 'greyscale' : 'colour'})`).toBe(i < grey.length);
    }
  });

  it.skipIf(!hasPil)('decodes like PIL (libjpeg): the same luminance; chroma differs by upsampling', () => {
    const paths = Array.from({ length: 40 }, (_, i) => join(TINY!, `val/images/val_${i}.JPEG`));
    const script = 'import sys\nfrom PIL import Image\nprint("\\n".join(Image.open(p).convert("RGB").tobytes().hex() for p in sys.argv[1:]))';
    const pil = execFileSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' }).trim().split('\n');
    const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
    let lumaDiff = 0;
    let rgbDiff = 0;
    paths.forEach((path, k) => {
      const ours = decodeJpegPlanar(new Uint8Array(readFileSync(path)), path).pixels;
      const theirs = Buffer.from(pil[k], 'hex'); // interleaved RGB
      for (let p = 0; p < 4096; p++) {
        lumaDiff += Math.abs(luma(ours[p], ours[4096 + p], ours[8192 + p]) - luma(theirs[3 * p], theirs[3 * p + 1], theirs[3 * p + 2]));
        for (let c = 0; c < 3; c++) rgbDiff += Math.abs(ours[c * 4096 + p] - theirs[3 * p + c]);
      }
    });
    // jpeg-js and libjpeg differ in IDCT rounding (luminance within ~0.5 of 255) and in chroma upsampling
    // (libjpeg interpolates, jpeg-js repeats), which moves colours at sharp colour edges.
    expect(lumaDiff / (40 * 4096)).toBeLessThan(1);
    expect(rgbDiff / (40 * 4096 * 3)).toBeLessThan(3);
  });
});

describe('Tiny-ImageNet (small folders made by the test)', () => {
  const jpeg = (width: number, height: number, seed: number) =>
    new Uint8Array(encode({ width, height, data: Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * seed) % 256) }, 90).data);
  const folder: Record<string, Uint8Array | string> = {
    'wnids.txt': 'n001\nn002\n',
    'words.txt': 'n001\tcat, feline\nn002\tcat, lifting device\nn999\tother\n',
    'train/n001/images/n001_0.JPEG': jpeg(64, 64, 3),
    'train/n001/images/n001_10.JPEG': jpeg(64, 64, 5),
    'train/n001/images/n001_2.JPEG': jpeg(64, 64, 7),
    'train/n002/images/n002_0.JPEG': jpeg(64, 64, 11),
    'val/val_annotations.txt': 'val_0.JPEG\tn002\t0\t0\t10\t10\nval_1.JPEG\tn001\t1\t1\t9\t9\n',
    'val/images/val_0.JPEG': jpeg(64, 64, 13),
    'val/images/val_1.JPEG': jpeg(64, 64, 17),
  };
  const base = () => ({ ...folder });
  const files = (entries: Record<string, Uint8Array | string>) =>
    bytesFiles(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v])), 'tiny');

  it('orders train images by number, keeps annotation order in val, and disambiguates names', async () => {
    const train = await loadTinyImageNet(files(base()), 'train');
    expect(Array.from(train.labels)).toEqual([0, 0, 0, 1]);
    expect(train.images.subarray(2 * 12288, 3 * 12288)).toEqual(decodeJpegPlanar(base()['train/n001/images/n001_10.JPEG'] as Uint8Array, 'x').pixels);
    expect(train.classNames).toEqual(['cat (n001)', 'cat (n002)']);
    const val = await loadTinyImageNet(files(base()), 'val', { limitPerClass: 1 });
    expect(Array.from(val.labels)).toEqual([1, 0]);
    const progress: number[] = [];
    await loadTinyImageNet(files(base()), 'train', { limitPerClass: 1, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2]);
  });

  it('says what is wrong', async () => {
    const broken = (changes: Record<string, Uint8Array | string | undefined>) => {
      const f = { ...base(), ...changes };
      for (const k of Object.keys(changes)) if (changes[k] === undefined) delete f[k];
      return files(f as Record<string, Uint8Array | string>);
    };
    await expect(loadTinyImageNet(broken({ 'val/images/val_1.JPEG': jpeg(32, 48, 3) }), 'val')).rejects.toThrow('tiny/val/images/val_1.JPEG is 32x48; Tiny-ImageNet images are 64x64');
    const cut = folder['val/images/val_0.JPEG'] as Uint8Array;
    await expect(loadTinyImageNet(broken({ 'val/images/val_0.JPEG': cut.subarray(0, cut.length / 2) }), 'val')).rejects.toThrow(/tiny\/val\/images\/val_0\.JPEG: not a readable JPEG/);
    await expect(loadTinyImageNet(broken({ 'val/images/val_0.JPEG': 'GIF89a...' }), 'val')).rejects.toThrow(/tiny\/val\/images\/val_0\.JPEG: not a readable JPEG/);
    await expect(loadTinyImageNet(broken({ 'val/images/val_0.JPEG': undefined }), 'val')).rejects.toThrow('tiny/val/images/val_0.JPEG: file not found');
    await expect(loadTinyImageNet(broken({ 'val/val_annotations.txt': 'val_0.JPEG\tn777\t0\t0\t1\t1\n' }), 'val')).rejects.toThrow(
      'tiny/val/val_annotations.txt line 1: "val_0.JPEG\\tn777\\t0\\t0\\t1\\t1" does not name an image and a class id from wnids.txt',
    );
    await expect(loadTinyImageNet(broken({ 'train/n002/images/n002_0.JPEG': undefined }), 'train')).rejects.toThrow('tiny/train/n002/images: no JPEG images for class n002');
    await expect(loadTinyImageNet(broken({ 'wnids.txt': undefined, 'words.txt': undefined }), 'train')).rejects.toThrow(
      'tiny: missing wnids.txt, words.txt. A Tiny-ImageNet-200 folder',
    );
    await expect(loadTinyImageNet(broken({ 'wnids.txt': 'n001\nn001\n' }), 'train')).rejects.toThrow('tiny/wnids.txt: class id n001 is listed twice');
  });
});
