// The engine's measured kernel choices (engine/tuning.ts) kept on disk between runs, per user:
// $XDG_CACHE_HOME/hmn-webgpu/tuning.json (default ~/.cache/...), or the file named by HMN_TUNING_FILE.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as E from '../../engine/index.js';
import { writeFileAtomic } from './atomic.js';

export function tuningFilePath(): string {
  if (process.env.HMN_TUNING_FILE) return process.env.HMN_TUNING_FILE;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'hmn-webgpu', 'tuning.json');
}

/** Load saved choices into the engine; returns how many were loaded (0 when there is no file). */
export function loadTuningFile(path = tuningFilePath()): number {
  if (!existsSync(path)) return 0;
  try {
    return E.loadTuning(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    // A damaged cache only costs speed: say so and go on with the defaults.
    console.warn(`ignoring the kernel tuning cache ${path}: ${(e as Error).message}`);
    return 0;
  }
}

/** Save every choice the engine holds (merged over what the file had, for other adapters). */
export function saveTuningFile(path = tuningFilePath()): void {
  let previous: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      previous = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      previous = {};
    }
  }
  writeFileAtomic(path, JSON.stringify({ ...previous, ...E.tuningSnapshot() }, null, 2));
}
