// Tiny-ImageNet-200 in its official folder layout (tiny-imagenet-200.zip):
//   wnids.txt                      the 200 class ids (WordNet ids), one per line: the class order
//   words.txt                      "<wnid>\t<names, comma-separated>" for all of WordNet
//   train/<wnid>/images/<wnid>_<k>.JPEG          500 per class (fewer in a reduced copy)
//   val/val_annotations.txt        "<file>\t<wnid>\t<box>", and val/images/val_<k>.JPEG: 50 per class
// The official test split has no labels, so 'val' is the test set ('test' is accepted as its alias).
// All images are 64x64 JPEGs; the greyscale ones become RGB. Decoding is pure JavaScript, about 1 ms an
// image: the 10,000 validation images take ~10 s; limitPerClass keeps tests and quick runs fast.
import { DataError } from '../io/errors.js';
import { checkDataset, type ImageDataset } from './dataset.js';
import { describe, mapLimit, readLines, readText, requireFiles, type FileSource } from './files.js';
import { decodeJpegPlanar } from './jpeg.js';

export type TinyImageNetSplit = 'train' | 'val' | 'test';
export const TINY_IMAGENET_EXPECTED =
  'A Tiny-ImageNet-200 folder (tiny-imagenet-200.zip, usually tiny-imagenet-200/) holds wnids.txt, words.txt, train/<wnid>/images/*.JPEG and val/val_annotations.txt with val/images/*.JPEG.';

const SIDE = 64;
const PIXELS = 3 * SIDE * SIDE;

export interface TinyImageNetOptions {
  /** At most this many images per class (the first ones: by number in train, in file order in val). */
  limitPerClass?: number;
  /** Called after every decoded image. */
  onProgress?: (done: number, total: number) => void;
}

/** A readable name per class: the first of its WordNet names, with the id added where two would clash. */
async function classNames(source: FileSource, wnids: string[]): Promise<string[]> {
  const words = new Map<string, string>();
  for (const line of (await readText(source, 'words.txt')).split(/\r?\n/)) {
    const tab = line.indexOf('\t');
    if (tab > 0) words.set(line.slice(0, tab).trim(), line.slice(tab + 1).split(',')[0].trim());
  }
  const first = wnids.map((id) => words.get(id) || id);
  return first.map((name, i) => (first.indexOf(name) !== first.lastIndexOf(name) ? `${name} (${wnids[i]})` : name));
}

/** The number in 'n01443537_12.JPEG' (for numeric order), or -1. */
function imageNumber(name: string): number {
  const m = /_(\d+)\.[^.]+$/.exec(name);
  return m ? Number(m[1]) : -1;
}

const isJpeg = (name: string) => /\.jpe?g$/i.test(name);

async function trainImages(source: FileSource, wnids: string[], limit: number): Promise<{ path: string; label: number }[]> {
  const listed = await Promise.all(wnids.map((id) => source.list(`train/${id}/images`)));
  return wnids.flatMap((id, label) => {
    const names = listed[label].filter(isJpeg).sort((a, b) => imageNumber(a) - imageNumber(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) throw new DataError(`${describe(source, `train/${id}/images`)}: no JPEG images for class ${id} (listed in wnids.txt)`);
    return names.slice(0, limit).map((name) => ({ path: `train/${id}/images/${name}`, label }));
  });
}

async function valImages(source: FileSource, wnids: string[], limit: number): Promise<{ path: string; label: number }[]> {
  const index = new Map(wnids.map((id, i) => [id, i]));
  const perClass = new Array<number>(wnids.length).fill(0);
  const entries: { path: string; label: number }[] = [];
  const lines = await readLines(source, 'val/val_annotations.txt');
  lines.forEach((line, n) => {
    const [file, wnid] = line.split(/\s+/);
    const label = index.get(wnid);
    if (!file || label === undefined) {
      throw new DataError(`${describe(source, 'val/val_annotations.txt')} line ${n + 1}: ${JSON.stringify(line)} does not name an image and a class id from wnids.txt`);
    }
    if (perClass[label]++ < limit) entries.push({ path: `val/images/${file}`, label });
  });
  return entries;
}

/** Tiny-ImageNet-200 from its folder: 64x64 images of 200 classes in wnids.txt order. */
export async function loadTinyImageNet(source: FileSource, split: TinyImageNetSplit, options: TinyImageNetOptions = {}): Promise<ImageDataset> {
  if (split !== 'train' && split !== 'val' && split !== 'test') throw new DataError(`Tiny-ImageNet has splits 'train' and 'val' (alias 'test'), not '${split}'`);
  const val = split !== 'train';
  const limit = options.limitPerClass ?? Infinity;
  if (!(limit >= 1)) throw new DataError(`Tiny-ImageNet: limitPerClass must be at least 1, got ${limit}`);
  await requireFiles(source, ['wnids.txt', 'words.txt', val ? 'val/val_annotations.txt' : 'train'], TINY_IMAGENET_EXPECTED);
  const wnids = await readLines(source, 'wnids.txt');
  const duplicate = wnids.find((id, i) => wnids.indexOf(id) !== i);
  if (duplicate) throw new DataError(`${describe(source, 'wnids.txt')}: class id ${duplicate} is listed twice`);
  const entries = val ? await valImages(source, wnids, limit) : await trainImages(source, wnids, limit);
  const images = new Uint8Array(entries.length * PIXELS);
  const labels = Int32Array.from(entries, (e) => e.label);
  let done = 0;
  // Reads overlap (they wait on the disk or the browser); decoding runs one image at a time.
  await mapLimit(entries, 16, async ({ path }, i) => {
    const file = describe(source, path);
    const { pixels, width, height } = decodeJpegPlanar(await source.read(path), file);
    if (width !== SIDE || height !== SIDE) throw new DataError(`${file} is ${width}x${height}; Tiny-ImageNet images are ${SIDE}x${SIDE}`);
    images.set(pixels, i * PIXELS);
    options.onProgress?.(++done, entries.length);
  });
  return checkDataset({
    name: 'tinyimagenet', split: val ? 'val' : 'train', images, labels, count: entries.length,
    channels: 3, height: SIDE, width: SIDE, classes: wnids.length, classNames: await classNames(source, wnids),
  });
}
