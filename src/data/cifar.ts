// CIFAR-10 and CIFAR-100, "binary version" (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz).
//   CIFAR-10:  data_batch_1..5.bin (train), test_batch.bin; records <label><3072 pixels>; batches.meta.txt
//   CIFAR-100: train.bin, test.bin; records <coarse label><fine label><3072 pixels>;
//              fine_label_names.txt, coarse_label_names.txt
// The 3072 pixels are the R, G and B planes of a 32x32 image, each row-major: already NCHW.
import { DataError, formatCount } from '../io/errors.js';
import { checkDataset, type ImageDataset } from './dataset.js';
import { describe, readLines, requireFiles, type FileSource } from './files.js';

const PIXELS = 3 * 32 * 32;

export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};
export const CIFAR100_FILES = { train: ['train.bin'], test: ['test.bin'] };
export const CIFAR10_EXPECTED =
  'A CIFAR-10 folder (the "binary version", cifar-10-binary.tar.gz, usually cifar-10-batches-bin/) holds data_batch_1.bin ... data_batch_5.bin, test_batch.bin and batches.meta.txt.';
export const CIFAR100_EXPECTED =
  'A CIFAR-100 folder (the "binary version", cifar-100-binary.tar.gz, usually cifar-100-binary/) holds train.bin, test.bin, fine_label_names.txt and coarse_label_names.txt.';

// The names batches.meta.txt lists, for a folder without it.
const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface RecordFormat {
  dataset: string;
  /** The label bytes at the start of each record, in order. */
  labels: { name: string; classes: number }[];
  /** What a whole file of this format looks like, for size errors. */
  officialSize: string;
}

const CIFAR10_FORMAT: RecordFormat = {
  dataset: 'CIFAR-10',
  labels: [{ name: 'label', classes: 10 }],
  officialSize: 'a CIFAR-10 batch is 10000 records of 3073 bytes (a label byte, then 32x32x3 pixels)',
};
const CIFAR100_FORMAT: RecordFormat = {
  dataset: 'CIFAR-100',
  labels: [
    { name: 'coarse label', classes: 20 },
    { name: 'fine label', classes: 100 },
  ],
  officialSize: 'CIFAR-100 records are 3074 bytes (coarse label, fine label, 32x32x3 pixels), 50000 in train.bin and 10000 in test.bin',
};

/** The number of records in a file, after checking its size. */
function countRecords(bytes: Uint8Array, file: string, format: RecordFormat): number {
  const recordBytes = format.labels.length + PIXELS;
  if (bytes.length === 0) throw new DataError(`${file} is empty; ${format.officialSize}`);
  if (bytes.length % recordBytes !== 0) {
    throw new DataError(`${file} has ${formatCount(bytes.length)} bytes, not a whole number of ${recordBytes}-byte records; ${format.officialSize}: truncated?`);
  }
  return bytes.length / recordBytes;
}

/** Copies a file's records into the dataset arrays from image `at` on, checking every label. */
function copyRecords(bytes: Uint8Array, file: string, format: RecordFormat, images: Uint8Array, labels: Int32Array[], at: number): void {
  const recordBytes = format.labels.length + PIXELS;
  const count = bytes.length / recordBytes;
  for (let r = 0; r < count; r++) {
    const start = r * recordBytes;
    format.labels.forEach(({ name, classes }, k) => {
      const y = bytes[start + k];
      if (y >= classes) throw new DataError(`${file}: record ${r} has ${name} ${y}; ${format.dataset} ${name}s are 0..${classes - 1}. Not a ${format.dataset} file?`);
      labels[k][at + r] = y;
    });
    images.set(bytes.subarray(start + format.labels.length, start + recordBytes), (at + r) * PIXELS);
  }
}

/** Reads the record files one after another into one set of arrays. */
async function readRecordFiles(source: FileSource, files: string[], format: RecordFormat): Promise<{ images: Uint8Array; labels: Int32Array[]; count: number }> {
  const contents: Uint8Array[] = [];
  let count = 0;
  for (const file of files) {
    const bytes = await source.read(file);
    count += countRecords(bytes, describe(source, file), format);
    contents.push(bytes);
  }
  const images = new Uint8Array(count * PIXELS);
  const labels = format.labels.map(() => new Int32Array(count));
  let at = 0;
  files.forEach((file, i) => {
    copyRecords(contents[i], describe(source, file), format, images, labels, at);
    at += contents[i].length / (format.labels.length + PIXELS);
  });
  return { images, labels, count };
}

/** Class names from a names file (one per line) if the folder has it, else `fallback`. */
async function classNames(source: FileSource, file: string, classes: number, fallback: string[]): Promise<string[]> {
  if (!(await source.exists(file))) return fallback;
  const names = await readLines(source, file);
  if (names.length !== classes) throw new DataError(`${describe(source, file)} lists ${names.length} class names; expected ${classes}, one per line`);
  return names;
}

export type CifarSplit = 'train' | 'test';

function checkSplit(split: string, dataset: string): asserts split is CifarSplit {
  if (split !== 'train' && split !== 'test') throw new DataError(`${dataset} has splits 'train' and 'test', not '${split}'`);
}

/** CIFAR-10 from its folder: 50000 train or 10000 test images of 32x32, 10 classes. */
export async function loadCifar10(source: FileSource, split: CifarSplit): Promise<ImageDataset> {
  checkSplit(split, 'CIFAR-10');
  const files = CIFAR10_FILES[split];
  await requireFiles(source, files, CIFAR10_EXPECTED);
  const { images, labels, count } = await readRecordFiles(source, files, CIFAR10_FORMAT);
  const names = await classNames(source, 'batches.meta.txt', 10, CIFAR10_NAMES);
  return checkDataset({ name: 'cifar10', split, images, labels: labels[0], count, channels: 3, height: 32, width: 32, classes: 10, classNames: names });
}

export interface Cifar100Options {
  /** Which labels the dataset's `labels` are: the 100 fine classes (default) or the 20 superclasses. */
  labels?: 'fine' | 'coarse';
}

/** CIFAR-100 from its folder: 50000 train or 10000 test images of 32x32, 100 fine (or 20 coarse) classes. */
export async function loadCifar100(source: FileSource, split: CifarSplit, options: Cifar100Options = {}): Promise<ImageDataset & { coarseLabels: Int32Array; fineLabels: Int32Array }> {
  checkSplit(split, 'CIFAR-100');
  const kind = options.labels ?? 'fine';
  if (kind !== 'fine' && kind !== 'coarse') throw new DataError(`CIFAR-100 labels are 'fine' or 'coarse', not '${kind}'`);
  const files = CIFAR100_FILES[split];
  await requireFiles(source, files, CIFAR100_EXPECTED);
  const { images, labels, count } = await readRecordFiles(source, files, CIFAR100_FORMAT);
  const [coarseLabels, fineLabels] = labels;
  const classes = kind === 'fine' ? 100 : 20;
  const fallback = Array.from({ length: classes }, (_, i) => `${kind}-${i}`);
  const names = await classNames(source, `${kind}_label_names.txt`, classes, fallback);
  const ds = checkDataset({
    name: 'cifar100', split, images, labels: kind === 'fine' ? fineLabels : coarseLabels, count,
    channels: 3, height: 32, width: 32, classes, classNames: names,
  });
  return { ...ds, coarseLabels, fineLabels };
}
