// The evaluation protocol: train `runs` fresh networks (seeds opts.seed, opts.seed + 1, ...) on a set of
// images and report the real test set's accuracy (and a held-out real validation split's) as mean ± std.
import type { ChannelStats } from '../data/dataset.js';
import { accuracy, checkImages, trainClassifier, type FloatImages, type TrainOptions } from './train.js';

/** Accuracies as fractions in [0, 1]; std is the sample standard deviation (n - 1), 0 for one run. */
export interface AccuracySummary {
  mean: number;
  std: number;
  runs: number[];
}

export interface EvaluationResult {
  test: AccuracySummary;
  validation: AccuracySummary | null;
  runs: number;
  options: TrainOptions;
  /** Wall-clock seconds of the whole evaluation (training and testing every run). */
  seconds: number;
}

/** Mean and sample standard deviation (n - 1; 0 for a single value) of finite values. */
export function summarise(values: number[]): AccuracySummary {
  if (values.length === 0) throw new Error('summarise: no values');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`summarise: value ${bad} is ${values[bad]}, not a finite number`);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const squares = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  const std = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
  return { mean, std, runs: [...values] };
}

/** Throws unless `set` has the images and classes of the test set (what the network will be tested on). */
function checkMatches(set: FloatImages, test: FloatImages, what: string): void {
  const shape = (s: FloatImages) => `${s.channels}x${s.height}x${s.width}`;
  if (shape(set) !== shape(test)) throw new Error(`${what} are ${shape(set)}, the test images ${shape(test)}`);
  if (set.classes !== test.classes) throw new Error(`${what} have ${set.classes} classes, the test set ${test.classes}`);
}

/** Train `runs` fresh networks (seeds opts.seed + r) on `train` and test each on `test` (and `validation` when given). */
export async function evaluateImages(
  train: FloatImages,
  real: { test: FloatImages; validation?: FloatImages; stats: ChannelStats },
  opts: TrainOptions,
  runs: number,
  onProgress?: (message: string) => void,
  /** Training steps done of all steps in run r (0-based), for a progress bar. */
  onSteps?: (run: number, done: number, total: number) => void,
): Promise<EvaluationResult> {
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`evaluate: runs must be a whole number >= 1, got ${runs}`);
  checkImages(train, 'training images');
  checkImages(real.test, 'test images');
  checkMatches(train, real.test, 'training images');
  if (real.validation) {
    checkImages(real.validation, 'validation images');
    checkMatches(real.validation, real.test, 'validation images');
  }
  const started = performance.now();
  const test: number[] = [];
  const validation: number[] = [];
  for (let r = 0; r < runs; r++) {
    const runStarted = performance.now();
    const net = await trainClassifier(train, real.stats, { ...opts, seed: opts.seed + r }, { onProgress: (done, total) => onSteps?.(r, done, total) });
    try {
      test.push(await accuracy(net, real.test, real.stats));
      if (real.validation) validation.push(await accuracy(net, real.validation, real.stats));
    } finally {
      net.dispose();
    }
    const seconds = (performance.now() - runStarted) / 1000;
    const val = real.validation ? `, validation ${percent(validation[r])} %` : '';
    onProgress?.(`run ${r + 1}/${runs} (seed ${opts.seed + r}): test ${percent(test[r])} %${val} (${seconds.toFixed(1)} s)`);
  }
  return {
    test: summarise(test),
    validation: real.validation ? summarise(validation) : null,
    runs,
    options: { ...opts },
    seconds: (performance.now() - started) / 1000,
  };
}

/** "34.1" for 0.3412. */
export function percent(fraction: number): string {
  return (100 * fraction).toFixed(1);
}

/** "34.1 ± 0.8 %" */
export function formatSummary(s: AccuracySummary): string {
  return `${percent(s.mean)} ± ${percent(s.std)} %`;
}
