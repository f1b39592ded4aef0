// `hmn baseline --method random|pixel-gm|dm`: the comparison methods of issue 5 at the HMN's storage budget
// (IPC x classes x C x H x W floats), in the same engine:
//   random     IPC random real training images per class
//   pixel-gm   IPC images per class learned by the HMN's gradient-matching condenser (src/baselines/pixels.ts)
//   dm         IPC images per class learned by distribution matching (src/baselines/dm.ts)
// The output directory holds images.safetensors (the image-set layout `hmn decode` writes), manifest.json,
// loss.json / loss.csv and the PNG grids; every file is written atomically. Ctrl-C stops after the current
// iteration and writes what the run has reached (manifest says finished: false); there is no resume.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, UsageError, type OptionTable, type ParsedOptions } from './args.js';
import { ProgressBar, formatBytes } from './progress.js';
import { CONDENSE_OPTIONS, loadTrainingSet } from './condense.js';
import { Condenser, type CondenseHyper, type IterationResult } from '../condense/condenser.js';
import { parseAugmentations } from '../condense/augment.js';
import { DISTANCES, parseDistance } from '../condense/matching.js';
import { dataChecksum } from '../condense/checkpoint.js';
import { randomReal } from '../baselines/random-real.js';
import { PIXEL_GM_HYPER, PixelSet } from '../baselines/pixels.js';
import { DEFAULT_DM_HYPER, DistributionMatcher, type DmHyper } from '../baselines/dm.js';
import { writeImageSet, type FloatImages } from '../io/image-set.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { RUN_FILES, writeImageSetGrids, writeLossCurve, writeRunFile } from '../node/run-dir.js';

export const BASELINE_METHODS = ['random', 'pixel-gm', 'dm'] as const;
type Method = (typeof BASELINE_METHODS)[number];

const IMAGES_FILE = 'images.safetensors';
const GM = PIXEL_GM_HYPER;
const DM = DEFAULT_DM_HYPER;
const both = (gm: unknown, dm: unknown) => `(default: ${gm} for pixel-gm, ${dm} for dm)`;

// Options of one method have no default in the table (their defaults, per method, are in the help text),
// so giving one to the other method is caught rather than silently ignored.
const GM_ONLY = ['innerSteps', 'netSteps', 'synBatch', 'netLr', 'netMomentum', 'netWeightDecay', 'distance'];
const DM_ONLY = ['momentum'];
const LEARNED = ['iterations', 'realBatch', 'netWidth', 'netDepth', 'lr', 'augment', ...GM_ONLY, ...DM_ONLY];

export const BASELINE_OPTIONS: OptionTable = {
  method: { type: 'string', choices: BASELINE_METHODS, help: 'random real images, pixel gradient matching, or distribution matching (required)' },
  dataset: CONDENSE_OPTIONS.dataset,
  'data-dir': CONDENSE_OPTIONS['data-dir'],
  'per-class': CONDENSE_OPTIONS['per-class'],
  'limit-per-class': CONDENSE_OPTIONS['limit-per-class'],
  ipc: { type: 'int', default: 1, help: 'images per class (the budget: IPC x classes x C x H x W floats)' },
  iterations: { type: 'int', help: `iterations ${both(GM.iterations, DM.iterations)}` },
  'real-batch': { type: 'int', help: `real images per class per match ${both(GM.realBatch, DM.realBatch)}` },
  'net-width': { type: 'int', help: `ConvNet width (default: ${GM.netWidth})` },
  'net-depth': { type: 'int', help: 'ConvNet depth (default: 3 for 32x32 images, 4 for 64x64)' },
  lr: { type: 'number', help: `pixel learning rate: Adam on the [0, 1] scale for pixel-gm, SGD in normalised-pixel units for dm ${both(GM.hmnLr, DM.lr)}` },
  augment: { type: 'string', help: `shared augmentation, joined by '_', or none ${both(GM.augment.join('_'), DM.augment.join('_'))}` },
  'inner-steps': { type: 'int', help: `pixel-gm: pixel updates per network (default: ${GM.innerSteps})` },
  'net-steps': { type: 'int', help: `pixel-gm: network SGD steps on real data between updates (default: ${GM.netSteps})` },
  'syn-batch': { type: 'int', help: `pixel-gm: synthetic images per class per match, at most (default: ${GM.synBatch})` },
  'net-lr': { type: 'number', help: `pixel-gm: network SGD learning rate (default: ${GM.netLr})` },
  'net-momentum': { type: 'number', help: `pixel-gm: network SGD momentum (default: ${GM.netMomentum})` },
  'net-weight-decay': { type: 'number', help: `pixel-gm: network SGD weight decay (default: ${GM.netWeightDecay})` },
  distance: { type: 'string', choices: DISTANCES, help: `pixel-gm: gradient distance (default: ${GM.distance})` },
  momentum: { type: 'number', help: `dm: pixel SGD momentum (default: ${DM.momentum})` },
  seed: { type: 'int', default: 0, help: 'random seed: the real images chosen (and the initial images) and every random draw' },
  out: { type: 'string', default: 'runs/baseline', help: 'output directory' },
  overwrite: { type: 'boolean', default: false, help: 'replace the results already in --out' },
};

const flag = (key: string) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Rejects options that the chosen method does not use, and sizes below 1. */
function checkOptions(o: ParsedOptions, method: Method): void {
  const unused = method === 'random' ? LEARNED : method === 'dm' ? GM_ONLY : DM_ONLY;
  const given = unused.filter((k) => o[k] !== undefined);
  if (given.length) throw new UsageError(`baseline: ${given.map(flag).join(', ')} ${given.length > 1 ? 'do' : 'does'} not apply to --method ${method}`);
  for (const k of ['ipc', 'iterations', 'realBatch', 'netWidth', 'netDepth', 'innerSteps', 'synBatch']) {
    if (o[k] !== undefined && !((o[k] as number) >= 1)) throw new UsageError(`baseline: ${flag(k)} must be at least 1, got ${o[k]}`);
  }
}

function pixelGmHyper(o: ParsedOptions, depth: number): CondenseHyper {
  const pick = <T>(v: unknown, d: T) => (v === undefined ? d : (v as T));
  return {
    iterations: pick(o.iterations, GM.iterations),
    innerSteps: pick(o.innerSteps, GM.innerSteps),
    netSteps: pick(o.netSteps, GM.netSteps),
    realBatch: pick(o.realBatch, GM.realBatch),
    synBatch: pick(o.synBatch, GM.synBatch),
    netWidth: pick(o.netWidth, GM.netWidth),
    netDepth: pick(o.netDepth, depth),
    networkLrScale: 1, // pixels only: no network weights
    warmupSteps: 0, // the pixels start from real images already
    warmupLr: GM.warmupLr,
    netLr: pick(o.netLr, GM.netLr),
    netMomentum: pick(o.netMomentum, GM.netMomentum),
    netWeightDecay: pick(o.netWeightDecay, GM.netWeightDecay),
    hmnLr: pick(o.lr, GM.hmnLr),
    distance: o.distance === undefined ? GM.distance : parseDistance(o.distance as string),
    augment: o.augment === undefined ? GM.augment : parseAugmentations(o.augment as string),
  };
}

function dmHyper(o: ParsedOptions, depth: number): DmHyper {
  const pick = <T>(v: unknown, d: T) => (v === undefined ? d : (v as T));
  return {
    iterations: pick(o.iterations, DM.iterations),
    realBatch: pick(o.realBatch, DM.realBatch),
    netWidth: pick(o.netWidth, DM.netWidth),
    netDepth: pick(o.netDepth, depth),
    lr: pick(o.lr, DM.lr),
    momentum: pick(o.momentum, DM.momentum),
    augment: o.augment === undefined ? DM.augment : parseAugmentations(o.augment as string),
  };
}

/** Returns the exit code: 0, or 130 when stopped by Ctrl-C (after writing what was reached). */
export async function baseline(argv: string[]): Promise<number> {
  const o = parseOptions(argv, BASELINE_OPTIONS, 'baseline');
  if (o.method === undefined) throw new UsageError(`baseline: --method is required (${BASELINE_METHODS.join(', ')})`);
  const method = o.method as Method;
  checkOptions(o, method);
  const outDir = resolve(o.out as string);
  if (!o.overwrite && existsSync(join(outDir, IMAGES_FILE))) throw new UsageError(`baseline: ${outDir} already holds results; pass --overwrite to replace them, or choose another --out`);
  const seed = o.seed as number;
  const ipc = o.ipc as number;

  const data = await loadTrainingSet(o, 'baseline');
  // The real images (the result for random, the starting point otherwise), drawn before the GPU starts so
  // that a class too small for --ipc is reported at once.
  const started = Date.now();
  const initial = randomWithUsage(data, ipc, seed);
  const depth = data.height >= 64 ? 4 : 3;
  let hyper: CondenseHyper | DmHyper | Record<string, never>;
  try {
    hyper = method === 'pixel-gm' ? pixelGmHyper(o, depth) : method === 'dm' ? dmHyper(o, depth) : {};
  } catch (e) {
    throw new UsageError(`baseline: ${(e as Error).message}`);
  }
  const rt = await E.initEngine();
  loadTuningFile();
  const adapter = rt.info.adapterInfo;
  const budget = ipc * data.classes * data.channels * data.height * data.width;
  console.log(`hmn baseline: ${method}, ${data.name}, IPC ${ipc} (budget ${budget} floats), seed ${seed}, adapter ${adapter.description || adapter.vendor}`);
  if (o.overwrite) for (const f of [IMAGES_FILE, RUN_FILES.manifest, RUN_FILES.lossJson, RUN_FILES.lossCsv, RUN_FILES.overview, RUN_FILES.perClass]) rmSync(join(outDir, f), { recursive: true, force: true });

  let images: FloatImages;
  let lossCurve: number[] = [];
  let iterationsDone = 0;
  let interrupted = false;
  if (method === 'random') {
    images = initial;
  } else {
    const set = new PixelSet(initial);
    const runner: { iteration: number; lossCurve: number[]; step(): Promise<IterationResult>; dispose(): void } =
      method === 'pixel-gm' ? new Condenser(set, data, hyper as CondenseHyper, seed) : new DistributionMatcher(set, data, hyper as DmHyper, seed);
    const total = (hyper as { iterations: number }).iterations;
    const onSigint = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('\ninterrupted: writing the images after this iteration (Ctrl-C again to quit without writing)\n');
    };
    process.on('SIGINT', onSigint);
    try {
      const bar = new ProgressBar(method);
      while (runner.iteration < total && !interrupted) {
        const { loss } = await runner.step();
        bar.update({ done: runner.iteration, total, loss, poolBytes: E.memory().liveBytes });
      }
      bar.finish();
      lossCurve = [...runner.lossCurve];
      iterationsDone = runner.iteration;
      images = await set.images();
    } finally {
      process.off('SIGINT', onSigint);
      runner.dispose();
      set.dispose();
    }
  }
  const seconds = (Date.now() - started) / 1000;

  const stored = images.images.length;
  writeRunFile(outDir, IMAGES_FILE, writeImageSet(images, { classNames: data.classNames, source: 'hmn baseline', method }));
  writeLossCurve(outDir, lossCurve);
  await writeImageSetGrids(outDir, images, data.classNames);
  const manifest = {
    method,
    dataset: o.dataset,
    data: { name: data.name, split: data.split, count: data.count, checksum: dataChecksum(data.images, data.labels) },
    ipc,
    seed,
    budget,
    storedFloats: stored,
    images: images.count,
    // The learned images are saved as optimised, not clamped to [0, 1] (as DC and DM evaluate them).
    clamped: false,
    hyper,
    iterationsDone,
    finished: !interrupted,
    seconds,
    secondsPerIteration: iterationsDone > 0 ? seconds / iterationsDone : null,
    peakPoolBytes: E.memory().peakBytes,
    classNames: data.classNames,
    adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description },
    versions: { node: process.version, platform: `${process.platform}-${process.arch}` },
  };
  writeRunFile(outDir, RUN_FILES.manifest, JSON.stringify(manifest, null, 2));
  if (interrupted) console.log(`stopped at iteration ${iterationsDone}; the images reached so far are written`);
  console.log(`${images.count} images (${stored} floats, budget ${budget}) in ${seconds.toFixed(0)} s, peak GPU pool ${formatBytes(E.memory().peakBytes)}`);
  console.log(`results: ${outDir}  (${IMAGES_FILE}, ${RUN_FILES.manifest}, ${RUN_FILES.lossJson}, ${RUN_FILES.overview}, ${RUN_FILES.perClass}/)`);
  return interrupted ? 130 : 0;
}

/** A class too small for --ipc is the user's problem, not a crash: a one-line usage error. */
function randomWithUsage(data: Parameters<typeof randomReal>[0], ipc: number, seed: number): FloatImages {
  try {
    return randomReal(data, ipc, seed);
  } catch (e) {
    throw new UsageError(`baseline: --ipc ${ipc}: ${(e as Error).message.replace(/^randomReal: /, '')}`);
  }
}
