// Measured kernel choices, per adapter and per problem class. A kernel asks `tileFor(kernel, key)` (a
// convolution pass also `algorithmFor(key)`) and falls back to its built-in default when nothing was
// measured; `autotune` / `autotuneAlgorithm` time the candidates on the current device and record the
// fastest. The choices are plain JSON (`tuningSnapshot` / `loadTuning`),
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

/**
 * A 3x3 stride-1 convolution pass's algorithm: the packed implicit GEMM, or Winograd with 2x2 or 4x4
 * output tiles (engine/ops/winograd.ts). The first is the built-in default where Winograd fits.
 */
export type ConvAlgorithm = 'winograd4' | 'winograd2' | 'gemm';
export const CONV_ALGORITHMS: readonly ConvAlgorithm[] = ['winograd4', 'winograd2', 'gemm'];

/** A candidate replaces the default only when this much faster. */
const MARGIN = 0.05;

const measured = new Map<string, TileChoice>();
const algorithms = new Map<string, ConvAlgorithm>();
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

export interface TuneResult<T = TileChoice> {
  kernel: string;
  key: string;
  best: T;
  /** Median milliseconds per candidate, in the candidates' order (GEMM_TILES, CONV_ALGORITHMS). */
  times: number[];
}

/** Time `run` under each candidate; the fastest, or the first (the default) unless another is clearly faster. */
async function fastestOf<T>(candidates: readonly T[], under: (c: T, fn: () => void) => void, run: () => void, repeat: number) {
  const times: number[] = [];
  for (const c of candidates) times.push(await medianMs(() => under(c, run), repeat));
  // The default stays unless a candidate beats it clearly: timings on a shared machine jitter by a few percent.
  const fastest = times.indexOf(Math.min(...times));
  return { best: candidates[times[fastest] < times[0] * (1 - MARGIN) ? fastest : 0], times };
}

/**
 * Time `run` (which must exercise `kernel` on the problem class `key`) with each candidate tile and record
 * the fastest for this adapter (the default unless another is at least 5% faster).
 */
export async function autotune(kernel: string, key: string, run: () => void, repeat = 3): Promise<TuneResult> {
  const { best, times } = await fastestOf(GEMM_TILES, withTile, run, repeat);
  measured.set(fullKey(kernel, key), best);
  return { kernel, key, best, times };
}

/** The algorithm measured for a convolution pass's problem class (engine/ops/conv.ts's convAlgorithmKey). */
export function algorithmFor(key: string): ConvAlgorithm | undefined {
  return forcedAlgorithm ?? algorithms.get(fullKey('conv', key));
}

let forcedAlgorithm: ConvAlgorithm | null = null;

/** Run fn with every convolution that Winograd fits using `algorithm` (the tuner). */
export function withAlgorithm<T>(algorithm: ConvAlgorithm, fn: () => T): T {
  const before = forcedAlgorithm;
  forcedAlgorithm = algorithm;
  try {
    return fn();
  } finally {
    forcedAlgorithm = before;
  }
}

/** Like autotune, for the algorithm of a convolution pass (`run` must run that pass on the class `key`). */
export async function autotuneAlgorithm(key: string, run: () => void, repeat = 3): Promise<TuneResult<ConvAlgorithm>> {
  const { best, times } = await fastestOf(CONV_ALGORITHMS, withAlgorithm, run, repeat);
  algorithms.set(fullKey('conv', key), best);
  return { kernel: 'conv', key, best, times };
}

/** Every recorded choice, for saving. Keys name the adapter, the kernel and the problem class. */
export function tuningSnapshot(): Record<string, TileChoice | ConvAlgorithm> {
  return { ...Object.fromEntries(measured), ...Object.fromEntries(algorithms) };
}

/** Restore choices saved by tuningSnapshot; entries that are not valid candidates are ignored. */
export function loadTuning(entries: Record<string, TileChoice | ConvAlgorithm>): number {
  let loaded = 0;
  for (const [k, v] of Object.entries(entries)) {
    if (typeof v === 'string') {
      if (k.includes(' | conv | ') && (CONV_ALGORITHMS as readonly string[]).includes(v)) {
        algorithms.set(k, v);
        loaded++;
      }
      continue;
    }
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
  algorithms.clear();
}
