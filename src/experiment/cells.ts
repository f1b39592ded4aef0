// The work of one experiment cell (method x IPC x seed), as two job functions that a local runner (and,
// later, a queue worker) calls: condenseCell writes the condensed image set into the cell's folder,
// evaluateCell trains networks on it and writes the accuracies. Each output is written atomically and a
// finished step is never redone, so a stopped experiment continues where it was.
//   <cell>/images.safetensors   the condensed images (decoded, for HMN) and labels: what evaluation trains on
//   <cell>/hmn.safetensors      HMN methods: the (pruned) HMN itself
//   <cell>/checkpoint.safetensors  HMN methods, while condensing: what a restarted cell resumes from
//   <cell>/condense.json        method, budget and stored floats, loss curve, seconds, pruning report
//   <cell>/eval.json            test and validation accuracy of every evaluation run
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAugmentations } from '../condense/augment.js';
import { Condenser, DEFAULT_HYPER, type CondenseHyper } from '../condense/condenser.js';
import { decodeCheckpoint, encodeCheckpoint, encodeHmn } from '../condense/checkpoint.js';
import { condenseHyper, describeRun } from '../condense/run-files.js';
import type { ChannelStats, ImageDataset } from '../data/dataset.js';
import { budgetFloats } from '../hmn/budget.js';
import { decodeAll } from '../hmn/decode-all.js';
import { Hmn } from '../hmn/model.js';
import { DATASETS, preset } from '../hmn/presets.js';
import { evaluateImages, type EvaluationResult } from '../evaluate/evaluate.js';
import { defaultDepth, type FloatImages, type TrainOptions } from '../evaluate/train.js';
import { pruneHmn, type PruneReport } from '../prune/prune.js';
import { PixelSet } from '../baselines/pixels.js';
import { DistributionMatcher } from '../baselines/dm.js';
import { randomReal } from '../baselines/random-real.js';
import { readImageSet, writeImageSet } from '../io/image-set.js';
import { writeFileAtomic } from '../node/atomic.js';
import { cellId, type Cell, type EvaluationSettings, type ExperimentSpec, type PixelGmSettings } from './spec.js';

/** The real data every cell of an experiment shares. */
export interface RealData {
  /** The training split minus the validation images: what condensation and random selection draw from. */
  train: ImageDataset;
  validation: FloatImages;
  test: FloatImages;
  /** Channel statistics of `train`, for normalisation everywhere. */
  stats: ChannelStats;
}

export interface CellContext {
  spec: ExperimentSpec;
  real: RealData;
  /** The experiment's folder; the cell works in <dir>/cells/<cell id>. */
  dir: string;
  log: (message: string) => void;
  /** Asked between iterations: true stops the cell after saving a checkpoint (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Told after every condensation iteration (a queue worker reports it as the job's progress). */
  progress?: (p: { iteration: number; iterations: number; loss: number }) => void;
}

export const CELL_FILES = {
  images: 'images.safetensors',
  hmn: 'hmn.safetensors',
  checkpoint: 'checkpoint.safetensors',
  condensed: 'condense.json',
  evaluation: 'eval.json',
} as const;

export interface CondenseRecord {
  cell: Cell;
  /** Floats the method may store (IPC x classes x C x H x W). */
  budget: number;
  /** Floats it does store. */
  stored: number;
  images: number;
  lossCurve: number[];
  seconds: number;
  prune?: PruneReport;
}

export class CellStopped extends Error {
  constructor(readonly cell: Cell) {
    super(`cell ${cellId(cell)} stopped; its checkpoint is saved`);
  }
}

export const cellDir = (ctx: Pick<CellContext, 'dir'>, cell: Cell) => join(ctx.dir, 'cells', cellId(cell));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export function isCondensed(ctx: Pick<CellContext, 'dir'>, cell: Cell): boolean {
  return existsSync(join(cellDir(ctx, cell), CELL_FILES.condensed));
}

export function isEvaluated(ctx: Pick<CellContext, 'dir'>, cell: Cell): boolean {
  return existsSync(join(cellDir(ctx, cell), CELL_FILES.evaluation));
}

export function readEvaluation(ctx: Pick<CellContext, 'dir'>, cell: Cell): (EvaluationResult & { condensed: CondenseRecord }) | null {
  const path = join(cellDir(ctx, cell), CELL_FILES.evaluation);
  return existsSync(path) ? readJson(path) : null;
}

/** The condenser's hyper-parameters for a spec section, checked and converted as the CLI's options are. */
function matchingHyper(s: Omit<PixelGmSettings, 'lr'> & { warmupSteps?: number; warmupLr?: number; networkLrScale?: number }, lr: number, imageSize: number): CondenseHyper {
  const { netLr, netMomentum, netWeightDecay } = DEFAULT_HYPER;
  return condenseHyper({ ...s, netLr, netMomentum, netWeightDecay, hmnLr: lr }, imageSize);
}

/** Evaluation settings as the trainer's options (no flips for SVHN: digits are not mirror-symmetric). */
export function trainOptions(spec: ExperimentSpec, ev: EvaluationSettings, seed: number): TrainOptions {
  const augment = parseAugmentations(ev.augment).filter((a) => !(spec.dataset === 'svhn' && a === 'flip'));
  return {
    epochs: ev.epochs,
    batchSize: ev.batch,
    lr: ev.lr,
    momentum: 0.9,
    weightDecay: 5e-4,
    width: ev.width,
    augment,
    cutmix: ev.cutmixProb > 0 ? { prob: ev.cutmixProb, beta: 1 } : null,
    seed,
  };
}

/** Runs (or resumes, from the cell's checkpoint) an HMN's condensation; returns it and its loss curve. */
async function condenseHmn(ctx: CellContext, cell: Cell, overBudget: number): Promise<{ hmn: Hmn; lossCurve: number[]; classNames: string[] }> {
  const { spec, real } = ctx;
  const dir = cellDir(ctx, cell);
  const p = preset(spec.dataset, cell.ipc, overBudget);
  const hyper = matchingHyper(spec.hmn, spec.hmn.hmnLr, p.config.image.height);
  const run = describeRun(spec.dataset, real.train, p, cell.seed, hyper);
  const checkpoint = join(dir, CELL_FILES.checkpoint);
  let hmn: Hmn;
  let condenser: Condenser;
  if (existsSync(checkpoint)) {
    const saved = decodeCheckpoint(new Uint8Array(readFileSync(checkpoint)), checkpoint);
    hmn = saved.hmn;
    condenser = new Condenser(hmn, real.train, { ...hyper }, cell.seed);
    condenser.restore(saved.progress);
    ctx.log(`${cellId(cell)}: resuming the condensation at iteration ${condenser.iteration} of ${hyper.iterations}`);
  } else {
    hmn = Hmn.create(p.config, cell.seed);
    condenser = new Condenser(hmn, real.train, hyper, cell.seed);
  }
  try {
    while (condenser.iteration < hyper.iterations) {
      const { loss } = await condenser.step();
      const done = condenser.iteration;
      if (done % spec.hmn.checkpointEvery === 0 || done === hyper.iterations || ctx.shouldStop?.()) {
        writeFileAtomic(checkpoint, await encodeCheckpoint(hmn, await condenser.progress(), run, real.train.classNames));
      }
      ctx.log(`${cellId(cell)}: iteration ${done}/${hyper.iterations}, matching loss ${loss.toFixed(3)}`);
      ctx.progress?.({ iteration: done, iterations: hyper.iterations, loss });
      if (ctx.shouldStop?.() && done < hyper.iterations) throw new CellStopped(cell);
    }
    return { hmn, lossCurve: [...condenser.lossCurve], classNames: real.train.classNames };
  } catch (e) {
    hmn.dispose();
    throw e;
  } finally {
    condenser.dispose();
  }
}

async function hmnImages(hmn: Hmn): Promise<FloatImages> {
  const d = await decodeAll(hmn);
  return { images: d.images, labels: d.labels, count: d.count, ...hmn.config.image, classes: hmn.config.classes };
}

/** Condense one cell (unless already done); writes images.safetensors and condense.json. */
export async function condenseCell(ctx: CellContext, cell: Cell): Promise<CondenseRecord> {
  const dir = cellDir(ctx, cell);
  const recordPath = join(dir, CELL_FILES.condensed);
  if (existsSync(recordPath)) return readJson<CondenseRecord>(recordPath);
  const { spec, real } = ctx;
  const geometry = DATASETS[spec.dataset];
  const budget = budgetFloats(cell.ipc, geometry.classes, geometry.image);
  const started = Date.now();
  let images: FloatImages;
  let stored: number;
  let lossCurve: number[] = [];
  let prune: PruneReport | undefined;
  if (cell.method === 'hmn' || cell.method === 'hmn-pruned') {
    const pruned = cell.method === 'hmn-pruned';
    const result = await condenseHmn(ctx, cell, pruned ? spec.prune.overBudget : 0);
    const hmn = result.hmn;
    try {
      lossCurve = result.lossCurve;
      if (pruned) {
        const ev = spec.evaluation;
        const base = trainOptions(spec, ev, cell.seed * 7919 + 1);
        prune = await pruneHmn(hmn, { validation: real.validation, stats: real.stats }, {
          budget,
          betas: spec.prune.betas,
          aumTrain: { ...base, epochs: spec.prune.aumEpochs },
          selectTrain: { ...base, epochs: spec.prune.selectEpochs },
          selectRuns: spec.prune.selectRuns,
        }, (m) => ctx.log(`${cellId(cell)}: ${m.trim()}`));
      }
      stored = hmn.parameterCount();
      writeFileAtomic(join(dir, CELL_FILES.hmn), await encodeHmn(hmn, result.classNames));
      images = await hmnImages(hmn);
    } finally {
      hmn.dispose();
    }
  } else if (cell.method === 'random') {
    images = randomReal(real.train, cell.ipc, cell.seed);
    stored = images.images.length;
  } else {
    const pixels = PixelSet.fromReal(real.train, cell.ipc, cell.seed);
    try {
      const runner = cell.method === 'pixel-gm'
        ? new Condenser(pixels, real.train, matchingHyper(spec.pixelGm, spec.pixelGm.lr, geometry.image.height), cell.seed)
        : new DistributionMatcher(pixels, real.train, dmHyper(spec), cell.seed);
      const iterations = cell.method === 'pixel-gm' ? spec.pixelGm.iterations : spec.dm.iterations;
      try {
        while (runner.iteration < iterations) {
          const { loss } = await runner.step();
          ctx.log(`${cellId(cell)}: iteration ${runner.iteration}/${iterations}, loss ${loss.toFixed(4)}`);
          ctx.progress?.({ iteration: runner.iteration, iterations, loss });
          if (ctx.shouldStop?.() && runner.iteration < iterations) throw new CellStopped(cell);
        }
        lossCurve = [...runner.lossCurve];
      } finally {
        runner.dispose();
      }
      images = await pixels.images();
      stored = pixels.parameterCount();
    } finally {
      pixels.dispose();
    }
  }
  if (stored > budget) throw new Error(`${cellId(cell)}: the method stores ${stored} floats, over the budget of ${budget}`);
  writeFileAtomic(join(dir, CELL_FILES.images), writeImageSet(images, { classNames: real.train.classNames, method: cell.method }));
  const record: CondenseRecord = { cell, budget, stored, images: images.count, lossCurve, seconds: (Date.now() - started) / 1000, ...(prune ? { prune } : {}) };
  writeFileAtomic(recordPath, JSON.stringify(record, null, 2));
  return record;
}

function dmHyper(spec: ExperimentSpec) {
  const geometry = DATASETS[spec.dataset];
  return {
    iterations: spec.dm.iterations,
    realBatch: spec.dm.realBatch,
    netWidth: spec.dm.netWidth,
    netDepth: defaultDepth(geometry.image.height),
    lr: spec.dm.lr,
    augment: parseAugmentations(spec.dm.augment),
  };
}

/** Evaluate a condensed cell (unless already done); writes eval.json. */
export async function evaluateCell(ctx: CellContext, cell: Cell): Promise<EvaluationResult & { condensed: CondenseRecord }> {
  const done = readEvaluation(ctx, cell);
  if (done) return done;
  const dir = cellDir(ctx, cell);
  if (!isCondensed(ctx, cell)) throw new Error(`${cellId(cell)}: evaluate before condensing`);
  const condensed = readJson<CondenseRecord>(join(dir, CELL_FILES.condensed));
  const { images } = readImageSet(new Uint8Array(readFileSync(join(dir, CELL_FILES.images))), join(dir, CELL_FILES.images));
  const { spec, real } = ctx;
  const opts = trainOptions(spec, spec.evaluation, cell.seed * 100);
  const result = await evaluateImages(images, { test: real.test, validation: real.validation, stats: real.stats }, opts, spec.evaluation.runs, (m) =>
    ctx.log(`${cellId(cell)}: ${m}`),
  );
  const out = { ...result, condensed };
  writeFileAtomic(join(dir, CELL_FILES.evaluation), JSON.stringify(out, null, 2));
  return out;
}

