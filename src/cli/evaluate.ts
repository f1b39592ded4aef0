// `hmn evaluate`: train fresh ConvNets on a set of images and report the real test set's accuracy as
// mean ± std over --runs seeds, plus the accuracy on a validation split held out from the real training set.
//   hmn evaluate <run dir>              the run's HMN, every generated image decoded
//   hmn evaluate <file.safetensors>     images F32 [N,C,H,W] on [0,1] (or U8) + labels I32 [N] (hmn decode's format)
//   hmn evaluate --real-ipc N           N random real training images per class (a baseline; seeded by --seed)
// The validation images are taken out of the real training set first (seed 0, the same for every input),
// so random real images never include them; normalisation uses the whole real training set's statistics.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, UsageError, type OptionTable } from './args.js';
import { ProgressBar } from './progress.js';
import { parseAugmentations } from '../condense/augment.js';
import { channelStats, splitValidation, type ImageDataset } from '../data/dataset.js';
import { DATASET_NAMES, type DatasetName } from '../data/registry.js';
import { loadDatasetFromDir } from '../data/node-files.js';
import { DataError } from '../io/errors.js';
import { writeFileAtomic } from '../node/atomic.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { evaluateImages, formatSummary } from '../evaluate/evaluate.js';
import { loadImagesFrom } from '../evaluate/inputs.js';
import { randomReal } from '../baselines/random-real.js';
import { DEFAULT_TRAIN, floatImages, type FloatImages, type TrainOptions } from '../evaluate/train.js';

/** Validation images held out in all when --validation-per-class is not given: 100 per class for 10 classes. */
const VALIDATION_TOTAL = 1000;

export const EVALUATE_OPTIONS: OptionTable = {
  dataset: { type: 'string', default: 'builtin', choices: DATASET_NAMES, help: 'the real dataset (its test split is the test set)' },
  'data-dir': { type: 'string', help: "the dataset's folder, or a folder holding it under its usual name (not for builtin)" },
  'per-class': { type: 'int', default: 500, help: 'builtin: training images per class' },
  'limit-per-class': { type: 'int', help: 'tinyimagenet: read at most this many training images per class' },
  'real-ipc': { type: 'int', help: 'train on this many random real training images per class instead of a run or file' },
  'validation-per-class': { type: 'int', help: `real training images per class held out for validation, 0 for none (default: ${VALIDATION_TOTAL} / classes, e.g. 100 for 10 classes)` },
  runs: { type: 'int', default: 3, help: 'networks trained (seeds --seed, --seed + 1, ...)' },
  epochs: { type: 'int', default: DEFAULT_TRAIN.epochs, help: 'training epochs per network' },
  batch: { type: 'int', default: DEFAULT_TRAIN.batchSize, help: 'training batch (at most the number of images)' },
  lr: { type: 'number', default: DEFAULT_TRAIN.lr, help: 'SGD learning rate (cosine schedule to 0)' },
  momentum: { type: 'number', default: DEFAULT_TRAIN.momentum, help: 'SGD momentum' },
  'weight-decay': { type: 'number', default: DEFAULT_TRAIN.weightDecay, help: 'SGD weight decay' },
  width: { type: 'int', default: DEFAULT_TRAIN.width, help: 'ConvNet width' },
  depth: { type: 'int', help: 'ConvNet depth (default: 3 for 32x32 images, 4 for 64x64)' },
  augment: { type: 'string', help: `DSA augmentation per batch: color, crop, cutout, flip, scale, rotate joined by '_', or none (default: ${DEFAULT_TRAIN.augment.join('_')}; without flip for svhn)` },
  'cutmix-prob': { type: 'number', default: DEFAULT_TRAIN.cutmix!.prob, help: 'probability of CutMix per batch (0: off)' },
  'cutmix-beta': { type: 'number', default: DEFAULT_TRAIN.cutmix!.beta, help: 'CutMix: lambda ~ Beta(beta, beta)' },
  seed: { type: 'int', default: 0, help: 'seed of the first network (and of --real-ipc sampling)' },
  out: { type: 'string', help: 'folder for eval.json (default: the run directory when evaluating one; otherwise none is written)' },
};

const PACKAGE_VERSION = '0.1.0';

function trainOptions(o: Record<string, unknown>, dataset: string): TrainOptions {
  for (const k of ['runs', 'epochs', 'batch', 'width'] as const) {
    if (!((o[k] as number) >= 1)) throw new UsageError(`evaluate: --${k} must be at least 1, got ${o[k]}`);
  }
  if (o.depth !== undefined && !((o.depth as number) >= 1)) throw new UsageError(`evaluate: --depth must be at least 1, got ${o.depth}`);
  if (!((o.lr as number) > 0)) throw new UsageError(`evaluate: --lr must be > 0, got ${o.lr}`);
  const prob = o.cutmixProb as number;
  if (!(prob >= 0 && prob <= 1)) throw new UsageError(`evaluate: --cutmix-prob must be in [0, 1], got ${prob}`);
  if (!((o.cutmixBeta as number) > 0)) throw new UsageError(`evaluate: --cutmix-beta must be > 0, got ${o.cutmixBeta}`);
  let augment = DEFAULT_TRAIN.augment.filter((a) => !(dataset === 'svhn' && a === 'flip'));
  if (o.augment !== undefined) {
    try {
      augment = parseAugmentations(o.augment as string);
    } catch (e) {
      throw new UsageError(`evaluate: --augment: ${(e as Error).message}`);
    }
  }
  return {
    epochs: o.epochs as number,
    batchSize: o.batch as number,
    lr: o.lr as number,
    momentum: o.momentum as number,
    weightDecay: o.weightDecay as number,
    width: o.width as number,
    depth: o.depth as number | undefined,
    augment,
    cutmix: prob > 0 ? { prob, beta: o.cutmixBeta as number } : null,
    seed: o.seed as number,
  };
}

/** The real training and test sets; a loader's problem becomes one line naming the file. */
async function loadReal(o: Record<string, unknown>): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const name = o.dataset as DatasetName;
  if (name !== 'builtin' && o.dataDir === undefined) throw new UsageError(`evaluate: --dataset ${name} needs --data-dir (the folder with its files; see the README)`);
  const started = Date.now();
  const bar = new ProgressBar('loading');
  const common = { dataDir: o.dataDir as string | undefined, perClass: o.perClass as number, seed: 0, onProgress: (done: number, total: number) => bar.update({ done, total }) };
  const train = await loadDatasetFromDir(name, { ...common, split: 'train', limitPerClass: o.limitPerClass as number | undefined });
  const test = await loadDatasetFromDir(name, { ...common, split: 'test' });
  console.log(`${train.name}: ${train.count} training and ${test.count} test images of ${train.channels}x${train.height}x${train.width}, ${train.classes} classes (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { train, test };
}

function holdOut(train: ImageDataset, perClass: number): { rest: ImageDataset; validation: ImageDataset | null } {
  if (perClass === 0) return { rest: train, validation: null };
  try {
    const { train: rest, validation } = splitValidation(train, { perClass }, 0);
    return { rest, validation };
  } catch (e) {
    throw new DataError(`${(e as Error).message} (lower --validation-per-class, or 0 for no validation set)`);
  }
}

export async function evaluate(argv: string[]): Promise<number> {
  const path = argv.length > 0 && !argv[0].startsWith('--') ? argv[0] : undefined;
  const o = parseOptions(path === undefined ? argv : argv.slice(1), EVALUATE_OPTIONS, 'evaluate');
  const realIpc = o.realIpc as number | undefined;
  if ((path === undefined) === (realIpc === undefined)) {
    throw new UsageError('evaluate: give exactly one input: a run directory, a .safetensors file of images and labels, or --real-ipc N');
  }
  if (realIpc !== undefined && !(realIpc >= 1)) throw new UsageError(`evaluate: --real-ipc must be at least 1, got ${realIpc}`);
  if (o.validationPerClass !== undefined && !((o.validationPerClass as number) >= 0)) throw new UsageError(`evaluate: --validation-per-class must be 0 or more, got ${o.validationPerClass}`);
  if (path !== undefined && !existsSync(path)) throw new DataError(`${path}: not found (give a run directory of hmn condense or a .safetensors file of images and labels)`);
  const opts = trainOptions(o, o.dataset as string);
  const runs = o.runs as number;

  const real = await loadReal(o);
  const stats = channelStats(real.train);
  const perClass = (o.validationPerClass as number | undefined) ?? Math.max(1, Math.round(VALIDATION_TOTAL / real.train.classes));
  const { rest, validation } = holdOut(real.train, perClass);
  const test = floatImages(real.test);

  const rt = await E.initEngine();
  loadTuningFile();
  let train: FloatImages;
  let input: Record<string, unknown>;
  if (path !== undefined) {
    const bar = new ProgressBar('decode');
    const loaded = await loadImagesFrom(path, test, (done, total) => bar.update({ done, total }));
    train = loaded.images;
    input = { kind: loaded.kind, path: resolve(path), file: resolve(loaded.file), images: train.count };
  } else {
    try {
      train = randomReal(rest, realIpc!, opts.seed);
    } catch (e) {
      throw new UsageError(`evaluate: --real-ipc ${realIpc}: ${(e as Error).message}`);
    }
    input = { kind: 'real', perClass: realIpc, seed: opts.seed, images: train.count };
  }
  const adapter = rt.info.adapterInfo;
  console.log(
    `hmn evaluate: ${train.count} images (${input.kind === 'real' ? `${realIpc} real per class` : path}), ${runs} runs of ${opts.epochs} epochs, ` +
      `ConvNet width ${opts.width}, augment ${opts.augment.join('_') || 'none'}, CutMix ${opts.cutmix ? opts.cutmix.prob : 'off'}; adapter ${adapter.description || adapter.vendor}`,
  );

  let bar: ProgressBar | null = null;
  const result = await evaluateImages(
    train,
    { test, validation: validation ? floatImages(validation) : undefined, stats },
    opts,
    runs,
    (message) => {
      bar?.finish();
      bar = null;
      console.log(message);
    },
    (run, done, total) => {
      bar ??= new ProgressBar(`run ${run + 1}/${runs}`);
      bar.update({ done, total, poolBytes: E.memory().liveBytes });
    },
  );
  const val = result.validation ? `, validation ${formatSummary(result.validation)} (${validation!.count} held-out training images)` : '';
  console.log(`test accuracy ${formatSummary(result.test)} (${runs} run${runs === 1 ? '' : 's'})${val}`);

  const outDir = (o.out as string | undefined) ?? (path !== undefined && statSync(path).isDirectory() ? path : undefined);
  if (outDir !== undefined) {
    const file = join(resolve(outDir), 'eval.json');
    const report = {
      input,
      dataset: {
        name: o.dataset,
        dataDir: o.dataDir === undefined ? null : resolve(o.dataDir as string),
        classes: real.train.classes,
        classNames: real.train.classNames,
        trainImages: real.train.count,
        testImages: real.test.count,
        validationImages: validation?.count ?? 0,
        validationPerClass: validation ? perClass : 0,
        normalisation: stats,
      },
      results: { test: result.test, validation: result.validation },
      runs,
      options: result.options,
      seconds: result.seconds,
      secondsPerRun: result.seconds / runs,
      adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description },
      versions: { hmnWebgpu: PACKAGE_VERSION, node: process.version, platform: `${process.platform}-${process.arch}` },
      finishedAt: new Date().toISOString(),
    };
    writeFileAtomic(file, JSON.stringify(report, null, 2));
    console.log(`results: ${file}`);
  }
  return 0;
}
