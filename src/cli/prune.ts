// `hmn prune <run dir>`: the over-budget HMN of a run (condensed with --over-budget p) brought back within
// the IPC budget by double-end AUM pruning, beta chosen on a validation split of the real training set.
// Writes a new run directory holding the pruned HMN, its manifest (with the accounting) and image grids.
import { join, resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, positionalAndOptions, UsageError, type OptionTable } from './args.js';
import { decodeHmn, encodeHmn } from '../condense/checkpoint.js';
import { preset } from '../hmn/presets.js';
import { pruneHmn, DEFAULT_BETAS } from '../prune/prune.js';
import { DEFAULT_TRAIN, floatImages } from '../evaluate/train.js';
import { channelStats, splitValidation } from '../data/dataset.js';
import { loadDatasetFromDir } from '../data/node-files.js';
import { parseAugmentations } from '../condense/augment.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { readRunFile, RUN_FILES, writeImageGrids, writeRunFile } from '../node/run-dir.js';

export const PRUNE_OPTIONS: OptionTable = {
  'data-dir': { type: 'string', help: "the run's dataset folder (not for builtin); the validation split is held out from its training set" },
  'per-class': { type: 'int', default: 500, help: 'builtin: training images per class (as the run used)' },
  betas: { type: 'string', default: DEFAULT_BETAS.join(','), help: 'beta grid, comma-separated: the share of removals taken from the hardest (lowest-AUM) images' },
  'validation-per-class': { type: 'int', default: 100, help: 'real training images per class held out to score each beta' },
  'aum-epochs': { type: 'int', default: 100, help: 'epochs of the training that records margins' },
  'select-epochs': { type: 'int', default: 100, help: 'epochs of each training that scores a beta' },
  'select-runs': { type: 'int', default: 1, help: 'networks trained per beta' },
  width: { type: 'int', default: DEFAULT_TRAIN.width, help: 'ConvNet width of those trainings' },
  batch: { type: 'int', default: DEFAULT_TRAIN.batchSize, help: 'batch size' },
  lr: { type: 'number', default: DEFAULT_TRAIN.lr, help: 'SGD learning rate' },
  augment: { type: 'string', default: DEFAULT_TRAIN.augment.join('_'), help: 'DSA augmentation while training' },
  seed: { type: 'int', default: 0, help: 'seed of the trainings' },
  out: { type: 'string', help: 'new run directory for the pruned HMN (default: <run dir>-pruned)' },
};

export async function prune(argv: string[]): Promise<void> {
  const [dir, rest] = positionalAndOptions(argv, 'run directory', 'prune');
  const o = parseOptions(rest, PRUNE_OPTIONS, 'prune');
  const betas = (o.betas as string).split(',').map(Number);
  if (betas.some((b) => !(b >= 0 && b <= 1))) throw new UsageError(`prune: --betas must be numbers in [0, 1], got '${o.betas}'`);
  for (const k of ['aumEpochs', 'selectEpochs', 'selectRuns', 'validationPerClass', 'width', 'batch'] as const) {
    if (!((o[k] as number) >= 1)) throw new UsageError(`prune: --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be at least 1, got ${o[k]}`);
  }
  let augment;
  try {
    augment = parseAugmentations(o.augment as string);
  } catch (e) {
    throw new UsageError(`prune: ${(e as Error).message}`);
  }
  const manifest = JSON.parse(new TextDecoder().decode(readRunFile(dir, RUN_FILES.manifest)));
  if (!(manifest.overBudget > 0)) {
    throw new UsageError(`prune: ${dir} was condensed within its budget (no --over-budget); pruning needs an over-budget run`);
  }
  const dataset = manifest.dataset as string;
  if (dataset !== 'builtin' && o.dataDir === undefined) throw new UsageError(`prune: the run condensed ${dataset}; give its folder with --data-dir`);
  const budget = preset(dataset, manifest.ipc).breakdown.budget;

  const full = await loadDatasetFromDir(dataset as never, { dataDir: o.dataDir as string | undefined, split: 'train', perClass: o.perClass as number, seed: 0 });
  const { train, validation } = splitValidation(full, { perClass: o.validationPerClass as number }, 0);
  await E.initEngine();
  loadTuningFile();
  const { hmn, classNames } = decodeHmn(readRunFile(dir, RUN_FILES.hmn), join(dir, RUN_FILES.hmn));
  const outDir = resolve((o.out as string | undefined) ?? `${dir.replace(/\/+$/, '')}-pruned`);
  try {
    const base = { ...DEFAULT_TRAIN, width: o.width as number, batchSize: o.batch as number, lr: o.lr as number, augment, seed: o.seed as number };
    const report = await pruneHmn(
      hmn,
      { validation: floatImages(validation), stats: channelStats(train) },
      { budget, betas, aumTrain: { ...base, epochs: o.aumEpochs as number }, selectTrain: { ...base, epochs: o.selectEpochs as number }, selectRuns: o.selectRuns as number },
      (m) => console.log(m),
    );
    writeRunFile(outDir, RUN_FILES.hmn, await encodeHmn(hmn, classNames));
    writeRunFile(outDir, RUN_FILES.manifest, JSON.stringify({ ...manifest, prunedFrom: resolve(dir), prune: report, imagesPerClass: hmn.config.imagesPerClass, generatedImages: hmn.rows, parameters: hmn.parameterCount(), budget: { ...manifest.budget, budget, total: hmn.parameterCount() } }, null, 2));
    await writeImageGrids(outDir, hmn, classNames);
    console.log(`pruned: beta ${report.beta} (${report.hardRemovedPerClass} hardest + ${report.easyRemovedPerClass} easiest removed per class); ${report.storedBefore} -> ${report.storedAfter} floats, budget ${budget}; ${report.imagesPerClassBefore} -> ${report.imagesPerClassAfter} images per class`);
    console.log(`results: ${outDir}`);
  } finally {
    hmn.dispose();
  }
}
