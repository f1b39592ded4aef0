// Node only: a folder on disk as a FileSource (the loaders themselves never import node: modules), and
// loadDataset for a folder path, as the CLI needs it.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError } from '../io/errors.js';
import type { ImageDataset } from './dataset.js';
import { describe, missingFile, type FileSource } from './files.js';
import { loadDataset, type DatasetName, type LoadOptions } from './registry.js';

export function nodeFiles(dir: string): FileSource {
  const root = resolve(dir);
  const source: FileSource = {
    label: dir,
    async read(path) {
      try {
        const buffer = await readFile(join(root, path));
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw missingFile(source, path);
        throw new DataError(`${describe(source, path)}: cannot read (${code ?? (e as Error).message})`);
      }
    },
    async exists(path) {
      return stat(join(root, path)).then(
        () => true,
        () => false,
      );
    },
    async list(path) {
      return readdir(join(root, path)).then(
        (names) => names.sort(),
        () => [],
      );
    },
  };
  return source;
}

/** loadDataset reading from a folder on disk (`dataDir`: the dataset's folder or one holding it). */
export function loadDatasetFromDir(name: DatasetName, options: Omit<LoadOptions, 'source'> & { dataDir?: string }): Promise<ImageDataset> {
  const { dataDir, ...rest } = options;
  return loadDataset(name, { ...rest, source: dataDir === undefined ? undefined : nodeFiles(dataDir) });
}
