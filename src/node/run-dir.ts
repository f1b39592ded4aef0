// A condensation run's directory on disk. Every file is written atomically (temporary file + rename), so
// an interrupted run leaves either the previous version of a file or the new one, never half of one.
//   hmn.safetensors          the condensed dataset (the HMN), rewritten at every checkpoint and at the end
//   checkpoint.safetensors   what --resume continues from
//   manifest.json            dataset, budget accounting, GIPC, hyper-parameters, seed, versions, timings
//   loss.json, loss.csv      the matching loss of every outer iteration
//   images.png               the first ten decoded images of every class, one row per class
//   images/<class>.png       every decoded image of a class (at most 400), one grid per class
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAll } from '../hmn/decode-all.js';
import type { Hmn } from '../hmn/model.js';
import { encodePng, imageGrid } from '../io/png.js';
import type { FloatImages } from '../io/image-set.js';
import { indicesByClass } from '../data/dataset.js';
import { DataError } from '../io/errors.js';
import { writeFileAtomic } from './atomic.js';
import { lossCsv, lossJson, RUN_FILES } from '../condense/run-files.js';

// The file names live with the browser-safe run files, so the browser app names its downloads the same.
export { RUN_FILES };

/** Remove a previous run's files from `dir` (for --overwrite), leaving anything else there alone. */
export function clearRun(dir: string): void {
  for (const f of [...Object.values(RUN_FILES), 'decoded', 'decoded.safetensors']) rmSync(join(dir, f), { recursive: true, force: true });
}

export function runPath(dir: string, file: string): string {
  return join(dir, file);
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(runPath(dir, RUN_FILES.checkpoint));
}

export function readRunFile(dir: string, file: string): Uint8Array {
  const path = runPath(dir, file);
  if (!existsSync(path)) throw new DataError(`${path}: not found (is ${dir} a run directory of hmn condense?)`);
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function writeRunFile(dir: string, file: string, data: Uint8Array | string): void {
  writeFileAtomic(runPath(dir, file), data);
}

export function writeLossCurve(dir: string, lossCurve: number[]): void {
  writeRunFile(dir, RUN_FILES.lossJson, lossJson(lossCurve));
  writeRunFile(dir, RUN_FILES.lossCsv, lossCsv(lossCurve));
}

/** File name of a class's image grid: its index and a file-system-safe version of its name. */
export function classFileName(c: number, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  return `${String(c).padStart(3, '0')}${safe && safe !== String(c) ? `-${safe}` : ''}.png`;
}

/** images.png and images/<class>.png from the HMN's current parameters. */
export async function writeImageGrids(dir: string, hmn: Hmn, classNames: string[], perClassLimit = 400): Promise<void> {
  const columns = Math.min(10, hmn.config.imagesPerClass);
  await writeGrids(dir, hmn.config.image, hmn.config.classes, columns, classNames, (c) => decodeAll(hmn, { rows: hmn.rowsOfClass(c).slice(0, perClassLimit) }));
}

/** images.png and images/<class>.png of an image set held on the host (e.g. a baseline's images). */
export async function writeImageSetGrids(dir: string, set: FloatImages, classNames: string[], perClassLimit = 400): Promise<void> {
  const per = set.channels * set.height * set.width;
  const byClass = indicesByClass(set.labels, set.classes);
  const columns = Math.min(10, Math.max(1, ...byClass.map((rows) => rows.length)));
  await writeGrids(dir, set, set.classes, columns, classNames, async (c) => {
    const rows = byClass[c].slice(0, perClassLimit);
    const images = new Float32Array(rows.length * per);
    rows.forEach((r, k) => images.set(set.images.subarray(r * per, (r + 1) * per), k * per));
    return { images, count: rows.length };
  });
}

/**
 * Writes each class's grid and the overview: the first `columns` images of each class, one row per class;
 * a class with fewer (after pruning) keeps its row, padded with white.
 */
async function writeGrids(
  dir: string,
  image: { channels: number; height: number; width: number },
  classes: number,
  columns: number,
  classNames: string[],
  imagesOf: (c: number) => Promise<{ images: Float32Array; count: number }>,
): Promise<void> {
  const channels = image.channels as 1 | 3;
  const per = channels * image.height * image.width;
  const overview = new Float32Array(classes * columns * per).fill(1);
  for (let c = 0; c < classes; c++) {
    const { images, count } = await imagesOf(c);
    const grid = imageGrid(images, count, channels, image.height, image.width, Math.ceil(Math.sqrt(count)));
    writeRunFile(dir, join(RUN_FILES.perClass, classFileName(c, classNames[c] ?? String(c))), encodePng(grid.pixels, grid.width, grid.height, grid.channels));
    overview.set(images.subarray(0, Math.min(count, columns) * per), c * columns * per);
  }
  const grid = imageGrid(overview, classes * columns, channels, image.height, image.width, columns);
  writeRunFile(dir, RUN_FILES.overview, encodePng(grid.pixels, grid.width, grid.height, grid.channels));
}
