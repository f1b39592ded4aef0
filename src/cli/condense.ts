// `hmn condense`: load a dataset, build the HMN its preset describes, run the gradient-matching condenser
// with a progress bar, checkpoint every few iterations, and write the run directory. `--resume` continues
// from the directory's checkpoint exactly (same seed, same result as an uninterrupted run); Ctrl-C stops at
// the end of the current outer iteration after saving a checkpoint.
import { resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, UsageError, type OptionTable } from './args.js';
import { ProgressBar, formatBytes } from './progress.js';
import { preset } from '../hmn/presets.js';
import { Hmn } from '../hmn/model.js';
import { Condenser, DEFAULT_HYPER, type CondenseHyper } from '../condense/condenser.js';
import { DISTANCES } from '../condense/matching.js';
import { condenseHyper, describeRun, runManifest } from '../condense/run-files.js';
import { decodeCheckpoint, describeMismatch, encodeCheckpoint, encodeHmn, type RunDescription } from '../condense/checkpoint.js';
import { DATASET_NAMES, type DatasetName } from '../data/registry.js';
import { loadDatasetFromDir } from '../data/node-files.js';
import type { ImageDataset } from '../data/dataset.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { clearRun, hasCheckpoint, readRunFile, RUN_FILES, writeImageGrids, writeLossCurve, writeRunFile } from '../node/run-dir.js';

export const CONDENSE_OPTIONS: OptionTable = {
  dataset: { type: 'string', default: 'builtin', choices: DATASET_NAMES, help: 'dataset to condense' },
  'data-dir': { type: 'string', help: "the dataset's folder, or a folder holding it under its usual name (not for builtin)" },
  'per-class': { type: 'int', default: 500, help: 'builtin: training images per class' },
  'limit-per-class': { type: 'int', help: 'tinyimagenet: read at most this many training images per class' },
  ipc: { type: 'number', default: 1, help: 'storage budget in images per class (IPC x classes x C x H x W floats)' },
  'over-budget': { type: 'number', default: 0, help: 'condense with (1 + p) x the budget, for pruning later (e.g. 0.1)' },
  iterations: { type: 'int', default: DEFAULT_HYPER.iterations, help: 'outer iterations (a fresh network each)' },
  'inner-steps': { type: 'int', default: DEFAULT_HYPER.innerSteps, help: 'HMN updates per network' },
  'net-steps': { type: 'int', default: DEFAULT_HYPER.netSteps, help: 'SGD steps of the network on real data between HMN updates' },
  'real-batch': { type: 'int', default: DEFAULT_HYPER.realBatch, help: 'real images per class per match' },
  'syn-batch': { type: 'int', default: DEFAULT_HYPER.synBatch, help: 'decoded images per class per match (at most)' },
  'net-width': { type: 'int', default: DEFAULT_HYPER.netWidth, help: 'ConvNet width' },
  'net-depth': { type: 'int', help: 'ConvNet depth (default: 3 for 32x32 images, 4 for 64x64)' },
  'net-lr': { type: 'number', default: DEFAULT_HYPER.netLr, help: 'network SGD learning rate' },
  'net-momentum': { type: 'number', default: DEFAULT_HYPER.netMomentum, help: 'network SGD momentum' },
  'net-weight-decay': { type: 'number', default: DEFAULT_HYPER.netWeightDecay, help: 'network SGD weight decay' },
  'hmn-lr': { type: 'number', default: DEFAULT_HYPER.hmnLr, help: 'Adam learning rate of the HMN parameters' },
  'network-lr-scale': { type: 'number', default: DEFAULT_HYPER.networkLrScale, help: 'multiplies --hmn-lr for the extractor and decoder weights (e.g. 0.1; the memories keep --hmn-lr)' },
  'warmup-steps': { type: 'int', default: DEFAULT_HYPER.warmupSteps, help: 'before matching: Adam steps fitting the decoded images to random real images of their class (0: none, as in the paper)' },
  'warmup-lr': { type: 'number', default: DEFAULT_HYPER.warmupLr, help: 'Adam learning rate of that warm-up' },
  distance: { type: 'string', default: DEFAULT_HYPER.distance, choices: DISTANCES, help: 'gradient distance' },
  augment: { type: 'string', default: DEFAULT_HYPER.augment.join('_'), help: "shared augmentation: color, crop, cutout, flip, scale, rotate joined by '_', or none" },
  seed: { type: 'int', default: 0, help: 'random seed (same seed, same result)' },
  out: { type: 'string', default: 'runs/condense', help: 'run directory' },
  'checkpoint-every': { type: 'int', default: 10, help: 'write a checkpoint (and hmn.safetensors) every N outer iterations' },
  resume: { type: 'boolean', default: false, help: "continue the run in --out from its checkpoint (same options; --iterations may grow)" },
  overwrite: { type: 'boolean', default: false, help: 'start afresh even if --out holds a run (its files are replaced)' },
};

/** `npm start`: a run small enough to finish in a few minutes on a CPU (lavapipe). */
export const QUICK_ARGS = ['--per-class', '100', '--iterations', '10', '--inner-steps', '2', '--real-batch', '16', '--syn-batch', '16', '--net-width', '32', '--checkpoint-every', '5', '--out', 'runs/quick'];

/** `hmn quick [options]`: QUICK_ARGS, then the user's options; starts afresh each time unless told --resume. */
export function quick(argv: string[]): Promise<number> {
  return condense([...QUICK_ARGS, ...(argv.includes('--resume') ? [] : ['--overwrite']), ...argv]);
}

function hyperFrom(o: Record<string, unknown>, imageSize: number): CondenseHyper {
  if (!((o.checkpointEvery as number) >= 1)) throw new UsageError(`condense: --checkpoint-every must be at least 1, got ${o.checkpointEvery}`);
  try {
    return condenseHyper(
      {
        iterations: o.iterations as number,
        innerSteps: o.innerSteps as number,
        netSteps: o.netSteps as number,
        realBatch: o.realBatch as number,
        synBatch: o.synBatch as number,
        netWidth: o.netWidth as number,
        netDepth: o.netDepth as number | undefined,
        netLr: o.netLr as number,
        netMomentum: o.netMomentum as number,
        netWeightDecay: o.netWeightDecay as number,
        hmnLr: o.hmnLr as number,
        distance: o.distance as string,
        augment: o.augment as string,
        networkLrScale: o.networkLrScale as number,
        warmupSteps: o.warmupSteps as number,
        warmupLr: o.warmupLr as number,
      },
      imageSize,
    );
  } catch (e) {
    throw new UsageError(`condense: ${(e as Error).message}`);
  }
}

/** The training set the options name (--dataset, --data-dir, --per-class, --limit-per-class), with a progress bar. */
export async function loadTrainingSet(o: Record<string, unknown>, command = 'condense'): Promise<ImageDataset> {
  const name = o.dataset as DatasetName;
  if (name !== 'builtin' && o.dataDir === undefined) throw new UsageError(`${command}: --dataset ${name} needs --data-dir (the folder with its files; see the README)`);
  const started = Date.now();
  const bar = new ProgressBar('loading');
  const data = await loadDatasetFromDir(name, {
    dataDir: o.dataDir as string | undefined,
    split: 'train',
    perClass: o.perClass as number,
    seed: 0, // the built-in dataset is fixed; --seed varies the condensation only
    limitPerClass: o.limitPerClass as number | undefined,
    onProgress: (done, total) => bar.update({ done, total }),
  });
  console.log(`${data.name}/${data.split}: ${data.count} images of ${data.channels}x${data.height}x${data.width}, ${data.classes} classes (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return data;
}

/** Returns the exit code: 0, or 130 when stopped by Ctrl-C (after saving a checkpoint). */
export async function condense(argv: string[]): Promise<number> {
  const o = parseOptions(argv, CONDENSE_OPTIONS, 'condense');
  const outDir = resolve(o.out as string);
  if (o.resume && o.overwrite) throw new UsageError('condense: --resume and --overwrite contradict each other');
  if (!o.resume && !o.overwrite && hasCheckpoint(outDir)) {
    throw new UsageError(`condense: ${outDir} already holds a run's checkpoint; pass --resume to continue it, --overwrite to start afresh, or choose another --out`);
  }
  if (o.resume && !hasCheckpoint(outDir)) throw new UsageError(`condense: --resume, but ${outDir} has no ${RUN_FILES.checkpoint}`);
  if (!((o.ipc as number) > 0)) throw new UsageError(`condense: --ipc must be > 0, got ${o.ipc}`);
  let p: ReturnType<typeof preset>;
  try {
    p = preset(o.dataset as string, o.ipc as number, o.overBudget as number);
  } catch (e) {
    throw new UsageError(`condense: ${(e as Error).message}`);
  }
  const hyper = hyperFrom(o, p.config.image.height);
  const seed = o.seed as number;

  const data = await loadTrainingSet(o);
  const rt = await E.initEngine();
  loadTuningFile();
  const adapter = rt.info.adapterInfo;
  const run: RunDescription = describeRun(o.dataset as string, data, p, seed, hyper);
  const b = p.breakdown;
  console.log(`hmn condense: ${run.dataset}, IPC ${run.ipc}${run.overBudget ? ` (+${run.overBudget * 100}% over budget)` : ''}, seed ${seed}, adapter ${adapter.description || adapter.vendor}`);
  console.log(
    `budget ${b.budget} floats; the HMN stores ${b.total}: decoder ${b.decoder}, extractors ${b.extractors}, class memories ${b.classMemories}, dataset memory ${b.datasetMemory}, ` +
      `${p.config.imagesPerClass} instance memories per class (${b.perImage} floats each)`,
  );

  let hmn: Hmn;
  let condenser: Condenser;
  if (o.resume) {
    const saved = decodeCheckpoint(readRunFile(outDir, RUN_FILES.checkpoint), `${outDir}/${RUN_FILES.checkpoint}`);
    const mismatch = describeMismatch(saved.run, run);
    if (mismatch.length) {
      saved.hmn.dispose();
      throw new UsageError(`condense: --resume with different options than the run in ${outDir} was started with:\n  ${mismatch.join('\n  ')}`);
    }
    hmn = saved.hmn;
    condenser = new Condenser(hmn, data, hyper, seed);
    condenser.restore(saved.progress);
    console.log(`resuming at iteration ${condenser.iteration} of ${hyper.iterations}`);
  } else {
    if (o.overwrite) clearRun(outDir);
    hmn = Hmn.create(p.config, seed);
    condenser = new Condenser(hmn, data, hyper, seed);
  }

  const manifest = (seconds: number, iterationsRun: number) =>
    runManifest({
      run,
      preset: p,
      hmn,
      classNames: data.classNames,
      iterationsDone: condenser.iteration,
      seconds,
      iterationsRun,
      peakPoolBytes: E.memory().peakBytes,
      adapter,
      platform: { node: process.version, platform: `${process.platform}-${process.arch}` },
    });
  const started = Date.now();
  const startIteration = condenser.iteration;
  const save = async () => {
    const seconds = (Date.now() - started) / 1000;
    writeRunFile(outDir, RUN_FILES.checkpoint, await encodeCheckpoint(hmn, await condenser.progress(), run, data.classNames));
    writeRunFile(outDir, RUN_FILES.hmn, await encodeHmn(hmn, data.classNames));
    writeLossCurve(outDir, condenser.lossCurve);
    writeRunFile(outDir, RUN_FILES.manifest, JSON.stringify(manifest(seconds, condenser.iteration - startIteration), null, 2));
  };

  // Ctrl-C: finish the current iteration, save, and say how to continue.
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ninterrupted: saving a checkpoint after this iteration (Ctrl-C again to quit without saving)\n');
  };
  process.on('SIGINT', onSigint);
  const bar = new ProgressBar('condense');
  try {
    while (condenser.iteration < hyper.iterations && !interrupted) {
      const { loss } = await condenser.step();
      bar.update({ done: condenser.iteration, total: hyper.iterations, loss, poolBytes: E.memory().liveBytes });
      if (condenser.iteration % (o.checkpointEvery as number) === 0 || condenser.iteration === hyper.iterations || interrupted) await save();
    }
    bar.finish();
    if (condenser.iteration === startIteration) await save();
    await writeImageGrids(outDir, hmn, data.classNames);
    const seconds = (Date.now() - started) / 1000;
    const ran = condenser.iteration - startIteration;
    if (interrupted) {
      console.log(`stopped at iteration ${condenser.iteration} of ${hyper.iterations}; continue with the same command plus --resume`);
    }
    console.log(`${ran} iterations in ${seconds.toFixed(0)} s (${ran ? (seconds / ran).toFixed(2) : '-'} s/iteration), peak GPU pool ${formatBytes(E.memory().peakBytes)}`);
    console.log(`results: ${outDir}  (${RUN_FILES.hmn}, ${RUN_FILES.manifest}, ${RUN_FILES.lossCsv}, ${RUN_FILES.overview}, ${RUN_FILES.perClass}/)`);
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    condenser.dispose();
    hmn.dispose();
  }
}
