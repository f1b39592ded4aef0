// Where a loader's files come from. Loaders only see this interface, so the same loader reads a folder
// on disk in Node (node-files.ts) and the files a user picked in the browser (pickedFiles, below).
// Paths are relative, '/'-separated, without a leading slash: 'train/n01443537/images/n01443537_0.JPEG'.
import { DataError } from '../io/errors.js';

export interface FileSource {
  /** Where the files are, for messages: a directory path, or e.g. "the picked files". */
  readonly label: string;
  /** The file's bytes; a DataError naming the file if there is no such file. */
  read(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** The names of the files and folders directly inside a folder ('' is the top); [] if there is none. */
  list(dir: string): Promise<string[]>;
}

/** A path for messages: the source's label joined with the relative path. */
export function describe(source: FileSource, path: string): string {
  return path ? `${source.label.replace(/\/+$/, '')}/${path}` : source.label;
}

export function missingFile(source: FileSource, path: string): DataError {
  return new DataError(`${describe(source, path)}: file not found`);
}

export async function readText(source: FileSource, path: string): Promise<string> {
  return new TextDecoder().decode(await source.read(path));
}

/** The non-empty lines of a text file, trimmed (handles \r\n). */
export async function readLines(source: FileSource, path: string): Promise<string[]> {
  return (await readText(source, path)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

/** The files below `prefix/` of another source, as a source of their own. */
export function within(source: FileSource, prefix: string): FileSource {
  if (!prefix) return source;
  const join = (path: string) => (path ? `${prefix}/${path}` : prefix);
  return {
    label: describe(source, prefix),
    read: (path) => source.read(join(path)),
    exists: (path) => source.exists(join(path)),
    list: (dir) => source.list(join(dir)),
  };
}

/**
 * Files held in memory by relative path: the browser's picked files (via pickedFiles) and tests.
 * `load` produces a file's bytes on first read.
 */
export function memoryFiles(files: Map<string, () => Promise<Uint8Array>>, label = 'the picked files'): FileSource {
  const dirs = new Map<string, Set<string>>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(parts[i]);
    }
  }
  const source: FileSource = {
    label,
    async read(path) {
      const load = files.get(path);
      if (!load) throw missingFile(source, path);
      return load();
    },
    exists: async (path) => files.has(path) || dirs.has(path),
    list: async (dir) => [...(dirs.get(dir) ?? [])].sort(),
  };
  return source;
}

/** Files from bytes already in memory, by relative path. */
export function bytesFiles(files: Record<string, Uint8Array>, label = 'the given files'): FileSource {
  return memoryFiles(new Map(Object.entries(files).map(([path, bytes]) => [path, async () => bytes])), label);
}

/** A browser File: its name, the path within a picked folder (webkitRelativePath), and its bytes. */
export interface PickedFile {
  name: string;
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The files of an <input type="file" webkitdirectory> (or several picked files) as a source. A picked
 * folder's own name is dropped, so picking 'cifar-10-batches-bin' or its parent both work (the registry
 * looks for the dataset's usual folder names).
 */
export function pickedFiles(files: Iterable<PickedFile>): FileSource {
  const list = [...files];
  const paths = list.map((f) => f.webkitRelativePath || f.name);
  const top = paths[0]?.split('/')[0];
  const shared = paths.length > 0 && paths.every((p) => p.includes('/') && p.split('/')[0] === top);
  const map = new Map<string, () => Promise<Uint8Array>>();
  list.forEach((f, i) => map.set(shared ? paths[i].slice(top.length + 1) : paths[i], async () => new Uint8Array(await f.arrayBuffer())));
  return memoryFiles(map, shared ? `the picked folder ${top}` : 'the picked files');
}

/** Runs `task` on every item with at most `limit` running at once; results in item order. */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Throws one DataError listing every missing file, with `expected` describing what belongs there. */
export async function requireFiles(source: FileSource, paths: string[], expected: string): Promise<void> {
  const present = await Promise.all(paths.map((p) => source.exists(p)));
  const missing = paths.filter((_, i) => !present[i]);
  if (missing.length) throw new DataError(`${source.label}: missing ${missing.join(', ')}. ${expected}`);
}
