// Measured kernel choices, per adapter and per problem class. A kernel asks `tileFor(kernel, key)` and
// falls back to its built-in default when nothing was measured; `autotune` times the candidates on the
// current device and records the fastest. The choices are plain JSON (`tuningSnapshot` / `loadTuning`),
// so Node keeps them in a file (bench/tune.ts) and a browser could keep them in storage; the engine itself
// does no I/O. Every candidate computes the same result (tests run each one against the reference), so a
// choice changes speed only.
import { runtime, sync } from './runtime.js';
import { tidy } from './tensor.js';

export interface TileChoice {
  /** Output pixels (columns) per invocation. */
  tn: number;
  /** Most rows per invocation. */
  tmMax: number;
}

/**
 * The packed GEMM's candidates (the first is the built-in default, best on lavapipe). No 8-pixel tile: it
 * never won here, and in Chromium its compile outlasted SwiftShader's GPU-process watchdog (device lost).
 */
export const GEMM_TILES: readonly TileChoice[] = [
  { tn: 4, tmMax: 32 },
  { tn: 2, tmMax: 32 },
  { tn: 4, tmMax: 16 },
  { tn: 2, tmMax: 16 },
];

/** A candidate replaces the default only when this much faster. */
const MARGIN = 0.05;

const measured = new Map<string, TileChoice>();
let forced: TileChoice | null = null;

/** The adapter's identity: choices measured on one adapter say nothing about another. */
const adapterKeys = new WeakMap<GPUDevice, string>();
function adapterKey(): string {
  const { device, info } = runtime();
  let key = adapterKeys.get(device);
  if (key === undefined) {
    const a = info.adapterInfo;
    key = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unknown adapter';
    adapterKeys.set(device, key); // looked up on every GEMM dispatch
  }
  return key;
}

const fullKey = (kernel: string, key: string) => `${adapterKey()} | ${kernel} | ${key}`;

/** The tile a kernel should use for this problem class: forced, measured, or the default. */
export function tileFor(kernel: string, key: string): TileChoice {
  return forced ?? measured.get(fullKey(kernel, key)) ?? GEMM_TILES[0];
}

/** Run fn with every kernel using `tile` (tests and the tuner). */
export function withTile<T>(tile: TileChoice, fn: () => T): T {
  const before = forced;
  forced = tile;
  try {
    return fn();
  } finally {
    forced = before;
  }
}

/** Times fn (recording + GPU) `repeat` times after one warm-up that compiles the pipelines; the median. */
async function medianMs(fn: () => void, repeat: number): Promise<number> {
  tidy(fn);
  await sync();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    tidy(fn);
    await sync();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface TuneResult {
  kernel: string;
  key: string;
  best: TileChoice;
  /** Median milliseconds per candidate, in GEMM_TILES order. */
  times: number[];
}

/**
 * Time `run` (which must exercise `kernel` on the problem class `key`) with each candidate tile and record
 * the fastest for this adapter (the default unless another is at least 5% faster).
 */
export async function autotune(kernel: string, key: string, run: () => void, repeat = 3): Promise<TuneResult> {
  const times: number[] = [];
  for (const tile of GEMM_TILES) times.push(await medianMs(() => withTile(tile, run), repeat));
  // The default stays unless a candidate beats it clearly: timings on a shared machine jitter by a few percent.
  const fastest = times.indexOf(Math.min(...times));
  const best = GEMM_TILES[times[fastest] < times[0] * (1 - MARGIN) ? fastest : 0];
  measured.set(fullKey(kernel, key), best);
  return { kernel, key, best, times };
}

/** Every recorded choice, for saving. Keys name the adapter, the kernel and the problem class. */
export function tuningSnapshot(): Record<string, TileChoice> {
  return Object.fromEntries(measured);
}

/** Restore choices saved by tuningSnapshot; entries that are not valid candidates are ignored. */
export function loadTuning(entries: Record<string, TileChoice>): number {
  let loaded = 0;
  for (const [k, v] of Object.entries(entries)) {
    const candidate = GEMM_TILES.find((t) => t.tn === v?.tn && t.tmMax === v?.tmMax);
    if (candidate) {
      measured.set(k, candidate);
      loaded++;
    }
  }
  return loaded;
}

export function clearTuning(): void {
  measured.clear();
}
