// One entry point for every dataset: loadDataset(name, { source, split, ... }). It finds the dataset's
// folder inside the given files (the folder itself, or a parent holding it under its usual name) and says
// which files it expected when it cannot.
import { DataError } from '../io/errors.js';
import { CIFAR100_EXPECTED, CIFAR100_FILES, CIFAR10_EXPECTED, CIFAR10_FILES, loadCifar10, loadCifar100 } from './cifar.js';
import type { ImageDataset } from './dataset.js';
import { within, type FileSource } from './files.js';
import { makeProceduralDataset } from './procedural.js';
import { loadSvhn, SVHN_EXPECTED, SVHN_FILES } from './svhn.js';
import { loadTinyImageNet, TINY_IMAGENET_EXPECTED } from './tiny-imagenet.js';

export type DatasetName = 'cifar10' | 'cifar100' | 'svhn' | 'tinyimagenet' | 'builtin';
export const DATASET_NAMES: DatasetName[] = ['cifar10', 'cifar100', 'svhn', 'tinyimagenet', 'builtin'];

export interface LoadOptions {
  /** The files: the dataset's folder or a folder holding it (not needed for 'builtin'). */
  source?: FileSource;
  /** 'train' or 'test' (Tiny-ImageNet's 'test' is its labelled 'val' split; SVHN also has 'extra'). */
  split: 'train' | 'test' | 'val' | 'extra';
  /** CIFAR-100: fine (default) or coarse labels. */
  labels?: 'fine' | 'coarse';
  /** Tiny-ImageNet: at most this many images per class. */
  limitPerClass?: number;
  /** Tiny-ImageNet: decoding progress. */
  onProgress?: (done: number, total: number) => void;
  /** builtin: images per class (train, test), classes, image side, seed. */
  perClass?: number;
  testPerClass?: number;
  classes?: number;
  size?: number;
  seed?: number;
}

interface FolderDataset {
  /** Folder names the dataset usually has, looked for inside the given folder. */
  folders: string[];
  /** Files that identify the dataset's folder (any one will do). */
  markers: string[];
  expected: string;
  load: (source: FileSource, options: LoadOptions) => Promise<ImageDataset>;
}

function trainOrTest(split: string, dataset: string): 'train' | 'test' {
  if (split !== 'train' && split !== 'test') throw new DataError(`${dataset} has splits 'train' and 'test', not '${split}'`);
  return split;
}

const FOLDER_DATASETS: Record<Exclude<DatasetName, 'builtin'>, FolderDataset> = {
  cifar10: {
    folders: ['cifar-10-batches-bin'],
    markers: [...CIFAR10_FILES.train, ...CIFAR10_FILES.test],
    expected: CIFAR10_EXPECTED,
    load: (source, o) => loadCifar10(source, trainOrTest(o.split, 'CIFAR-10')),
  },
  cifar100: {
    folders: ['cifar-100-binary'],
    markers: [...CIFAR100_FILES.train, ...CIFAR100_FILES.test],
    expected: CIFAR100_EXPECTED,
    load: (source, o) => loadCifar100(source, trainOrTest(o.split, 'CIFAR-100'), { labels: o.labels }),
  },
  svhn: {
    folders: ['svhn', 'SVHN'],
    markers: Object.values(SVHN_FILES),
    expected: SVHN_EXPECTED,
    load: (source, o) => {
      if (o.split === 'val') throw new DataError(`SVHN has splits 'train', 'test' and 'extra', not 'val'`);
      return loadSvhn(source, o.split);
    },
  },
  tinyimagenet: {
    folders: ['tiny-imagenet-200', 'tiny-imagenet-200-subset'],
    markers: ['wnids.txt'],
    expected: TINY_IMAGENET_EXPECTED,
    load: (source, o) => {
      if (o.split === 'extra') throw new DataError(`Tiny-ImageNet has splits 'train' and 'val' (alias 'test'), not 'extra'`);
      return loadTinyImageNet(source, o.split, { limitPerClass: o.limitPerClass, onProgress: o.onProgress });
    },
  },
};

/** The dataset's own folder within `source`: `source` itself or one of the usual folder names in it. */
export async function findDatasetFolder(name: Exclude<DatasetName, 'builtin'>, source: FileSource): Promise<FileSource> {
  const { folders, markers, expected } = FOLDER_DATASETS[name];
  if (!(await source.exists(''))) throw new DataError(`${source.label}: folder not found. ${expected}`);
  for (const folder of ['', ...folders]) {
    const found = await Promise.all(markers.map((m) => source.exists(folder ? `${folder}/${m}` : m)));
    if (found.includes(true)) return within(source, folder);
  }
  throw new DataError(`${source.label}: no ${name} dataset here or in ${folders.map((f) => `${f}/`).join(' or ')}. ${expected}`);
}

export async function loadDataset(name: DatasetName, options: LoadOptions): Promise<ImageDataset> {
  if (name === 'builtin') {
    if (options.split !== 'train' && options.split !== 'test') throw new DataError(`the built-in dataset has splits 'train' and 'test', not '${options.split}'`);
    return makeProceduralDataset({
      perClass: options.perClass ?? 500,
      testPerClass: options.testPerClass ?? 100,
      classes: options.classes,
      size: options.size,
      seed: options.seed,
      split: options.split,
    });
  }
  const dataset = FOLDER_DATASETS[name];
  if (!dataset) throw new DataError(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  if (!options.source) throw new DataError(`${name}: no data folder given. ${dataset.expected}`);
  return dataset.load(await findDatasetFolder(name, options.source), options);
}
