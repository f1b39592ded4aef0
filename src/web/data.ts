// The images a run condenses: the built-in procedural dataset, or real files the user picked (a folder, a
// few files, or a zip of the official folder). Files are read in the page only; nothing is uploaded.
import { unzipSync } from 'fflate';
import type { ImageDataset } from '../data/dataset.js';
import { memoryFiles, pickedFiles, type FileSource } from '../data/files.js';
import { loadDataset, type DatasetName } from '../data/registry.js';
import { DataError } from '../io/errors.js';

/**
 * The picked files as a source. A single .zip (e.g. tiny-imagenet-200.zip) is unpacked in memory first:
 * its paths keep their folders, so the registry finds the dataset's usual folder name inside it.
 */
export async function sourceFromFiles(files: File[]): Promise<FileSource> {
  if (files.length === 1 && /\.zip$/i.test(files[0].name)) {
    const zip = files[0];
    let entries: Record<string, Uint8Array>;
    try {
      // Tiny-ImageNet's test/ folder has no labels; skipping it saves a third of the memory.
      entries = unzipSync(new Uint8Array(await zip.arrayBuffer()), { filter: (f) => !/(^|\/)test\//.test(f.name) });
    } catch (e) {
      throw new DataError(`${zip.name}: not a readable zip file (${(e as Error).message})`);
    }
    const map = new Map<string, () => Promise<Uint8Array>>();
    for (const [path, bytes] of Object.entries(entries)) if (!path.endsWith('/')) map.set(path, async () => bytes);
    return memoryFiles(map, zip.name);
  }
  return pickedFiles(files);
}

export interface DataChoice {
  dataset: DatasetName;
  /** builtin: training images per class. */
  perClass: number;
  /** tinyimagenet: read at most this many training images per class. */
  limitPerClass?: number;
  /** The picked files (not for builtin). */
  source?: FileSource;
}

/** One split of the chosen dataset, as the CLI loads it (the built-in set with seed 0, like `hmn condense`). */
export async function loadSplit(choice: DataChoice, split: 'train' | 'test', onProgress?: (done: number, total: number) => void): Promise<ImageDataset> {
  if (choice.dataset !== 'builtin' && !choice.source) throw new DataError(`${choice.dataset}: pick its files first (the folder, its files, or a zip of the folder)`);
  return loadDataset(choice.dataset, {
    source: choice.source,
    split,
    perClass: choice.perClass,
    testPerClass: Math.max(10, Math.min(100, choice.perClass)),
    seed: 0,
    limitPerClass: choice.limitPerClass,
    onProgress,
  });
}
