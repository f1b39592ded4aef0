// Shared by the data tests: where the real datasets are, and scratch folders.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/datasets relative to the repository root (see its README), or HMN_DATASETS. */
export const DATASETS = process.env.HMN_DATASETS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets');

/** The folder of a real dataset, or null (and a note in the test output) when this machine lacks it. */
export function realDataset(folder: string): string | null {
  const path = join(DATASETS, folder);
  if (existsSync(path)) return path;
  console.warn(`skipping tests on real data: ${path} is not here`);
  return null;
}

/** A fresh temporary folder with the given files (relative path -> bytes or text). */
export function scratchFolder(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hmn-data-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
