// Instance-level pruning of an over-budget HMN (the paper's double-end pruning):
//   1. decode every image and train a classifier on them, recording each image's logit margin every epoch;
//      AUM = the mean margin
//   2. k per class = what brings the HMN back within the budget
//   3. for each beta of a grid, drop floor(beta k) lowest-AUM and k - floor(beta k) highest-AUM images per
//      class, train on what is left and score it on the VALIDATION split (never the test set)
//   4. keep the best beta's selection: only instance memories are deleted, so the kept images decode
//      exactly as before
import type { ChannelStats } from '../data/dataset.js';
import { decodeAll } from '../hmn/decode-all.js';
import type { Hmn } from '../hmn/model.js';
import { accuracy, predictLogits, trainClassifier, type FloatImages, type TrainOptions } from '../evaluate/train.js';
import { summarise, type AccuracySummary } from '../evaluate/evaluate.js';
import { AumRecorder, logitMargins } from './aum.js';
import { doubleEndSelect, prunePerClass } from './select.js';

export const DEFAULT_BETAS = [0, 0.25, 0.5, 0.75, 1];

export interface PruneOptions {
  /** The budget (floats) the pruned HMN must fit: IPC x classes x C x H x W, without the over-budget share. */
  budget: number;
  betas: number[];
  /** Training of the classifier whose margins give the AUM. */
  aumTrain: TrainOptions;
  /** Training that scores each beta on the validation split (seeds aumTrain.seed + 1000 + run). */
  selectTrain: TrainOptions;
  /** Networks trained per beta; their mean validation accuracy is its score. */
  selectRuns: number;
}

export interface PruneReport {
  budget: number;
  storedBefore: number;
  storedAfter: number;
  imagesPerClassBefore: number;
  imagesPerClassAfter: number;
  removedPerClass: number;
  beta: number;
  hardRemovedPerClass: number;
  easyRemovedPerClass: number;
  /** Validation accuracy of every beta tried. */
  grid: { beta: number; validation: AccuracySummary }[];
  aum: { epochs: number; min: number; mean: number; max: number };
  /** HMN rows (before pruning) that were deleted, ascending. */
  removedRows: number[];
  seconds: number;
}

export interface RealSplits {
  validation: FloatImages;
  stats: ChannelStats;
}

function pick(set: FloatImages, rows: number[]): FloatImages {
  const per = set.channels * set.height * set.width;
  const images = new Float32Array(rows.length * per);
  rows.forEach((r, i) => images.set(set.images.subarray(r * per, (r + 1) * per), i * per));
  return { ...set, images, labels: Int32Array.from(rows, (r) => set.labels[r]), count: rows.length };
}

/** Per-image AUM of `set` under a classifier trained on it. */
export async function aumScores(set: FloatImages, stats: ChannelStats, train: TrainOptions, onEpoch?: (epoch: number) => void): Promise<{ aum: Float64Array; epochs: number }> {
  const recorder = new AumRecorder(set.count);
  const net = await trainClassifier(set, stats, train, {
    onEpochEnd: async (epoch, model) => {
      recorder.add(logitMargins(await predictLogits(model, set, stats), set.labels, set.classes));
      onEpoch?.(epoch);
    },
  });
  net.dispose();
  return { aum: recorder.aum(), epochs: recorder.epochs };
}

/** Prune `hmn` in place to within `opts.budget`; returns what was done and why. */
export async function pruneHmn(hmn: Hmn, real: RealSplits, opts: PruneOptions, log: (message: string) => void = () => {}): Promise<PruneReport> {
  const started = Date.now();
  if (opts.betas.length === 0) throw new Error('pruning: the beta grid is empty');
  const bad = opts.betas.find((b) => !(b >= 0 && b <= 1));
  if (bad !== undefined) throw new Error(`pruning: beta ${bad} is outside [0, 1]`);
  if (!(opts.selectRuns >= 1)) throw new Error(`pruning: selectRuns must be at least 1, got ${opts.selectRuns}`);
  const storedBefore = hmn.parameterCount();
  const imagesPerClassBefore = hmn.config.imagesPerClass;
  const k = prunePerClass(hmn.config, opts.budget);
  log(`pruning: ${hmn.rows} images, ${storedBefore} floats stored, budget ${opts.budget}: remove ${k} per class`);

  const decoded = await decodeAll(hmn);
  const set: FloatImages = { images: decoded.images, labels: decoded.labels, count: decoded.count, ...hmn.config.image, classes: hmn.config.classes };
  const { aum, epochs } = await aumScores(set, real.stats, opts.aumTrain, (e) => log(`  AUM: epoch ${e + 1} of ${opts.aumTrain.epochs}`));

  const grid: PruneReport['grid'] = [];
  let best = -1;
  for (const beta of opts.betas) {
    const selection = doubleEndSelect(aum, set.labels, set.classes, k, beta);
    const kept = pick(set, selection.kept);
    const scores: number[] = [];
    for (let r = 0; r < opts.selectRuns; r++) {
      const net = await trainClassifier(kept, real.stats, { ...opts.selectTrain, seed: opts.selectTrain.seed + 1000 + r });
      scores.push(await accuracy(net, real.validation, real.stats));
      net.dispose();
    }
    const validation = summarise(scores);
    grid.push({ beta, validation });
    log(`  beta ${beta}: validation accuracy ${(validation.mean * 100).toFixed(2)} %`);
    // Ties go to the earlier beta of the grid.
    if (best < 0 || validation.mean > grid[best].validation.mean) best = grid.length - 1;
  }
  const beta = grid[best].beta;
  const selection = doubleEndSelect(aum, set.labels, set.classes, k, beta);
  hmn.keepRows(selection.kept.map((i) => decoded.rows[i]));
  const storedAfter = hmn.parameterCount();
  if (storedAfter > opts.budget) throw new Error(`pruning left ${storedAfter} floats, over the budget of ${opts.budget} (a bug)`);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const a of aum) {
    min = Math.min(min, a);
    max = Math.max(max, a);
    sum += a;
  }
  return {
    budget: opts.budget,
    storedBefore,
    storedAfter,
    imagesPerClassBefore,
    imagesPerClassAfter: hmn.config.imagesPerClass,
    removedPerClass: k,
    beta,
    hardRemovedPerClass: Math.floor(beta * k),
    easyRemovedPerClass: k - Math.floor(beta * k),
    grid,
    aum: { epochs, min, mean: sum / aum.length, max },
    removedRows: selection.removed.map((i) => decoded.rows[i]).sort((a, b) => a - b),
    seconds: (Date.now() - started) / 1000,
  };
}
