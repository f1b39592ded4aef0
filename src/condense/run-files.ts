// What a condensation run is and what it writes, without touching a file system: the run description, the
// hyper-parameters checked the same way, the manifest and the loss files. The Node CLI (src/cli/condense.ts)
// writes these to a run directory; the browser app (src/web) offers them as downloads. One module, so both
// produce the same files for the same run.
import type * as E from '../../engine/index.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Hmn } from '../hmn/model.js';
import type { Preset } from '../hmn/presets.js';
import { parseAugmentations } from './augment.js';
import { dataChecksum, type RunDescription } from './checkpoint.js';
import { DEFAULT_HYPER, type CondenseHyper } from './condenser.js';
import { parseDistance } from './matching.js';

export const PACKAGE_VERSION = '0.1.0';

/** The names of a run's files (a run directory in Node, downloads in the browser). */
export const RUN_FILES = {
  hmn: 'hmn.safetensors',
  checkpoint: 'checkpoint.safetensors',
  manifest: 'manifest.json',
  lossJson: 'loss.json',
  lossCsv: 'loss.csv',
  overview: 'images.png',
  perClass: 'images',
} as const;

/** The hyper-parameters as a user gives them: strings for distance and augmentation, depth optional. */
export type HyperInput = Omit<CondenseHyper, 'netDepth' | 'distance' | 'augment' | 'warmupSteps' | 'warmupLr' | 'networkLrScale'> & {
  networkLrScale?: number;
  netDepth?: number;
  distance: string;
  augment: string;
  /** Default: none (DEFAULT_HYPER). */
  warmupSteps?: number;
  warmupLr?: number;
};

/** Checked hyper-parameters; an Error names the bad one (the CLI turns it into a usage error). */
export function condenseHyper(input: HyperInput, imageSize: number): CondenseHyper {
  for (const k of ['iterations', 'innerSteps', 'realBatch', 'synBatch', 'netWidth'] as const) {
    if (!(input[k] >= 1)) throw new Error(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be at least 1, got ${input[k]}`);
  }
  if (input.warmupSteps !== undefined && !(Number.isInteger(input.warmupSteps) && input.warmupSteps >= 0)) throw new Error(`--warmup-steps must be a whole number >= 0, got ${input.warmupSteps}`);
  if (input.networkLrScale !== undefined && !(input.networkLrScale > 0)) throw new Error(`--network-lr-scale must be > 0, got ${input.networkLrScale}`);
  if (input.warmupLr !== undefined && !(input.warmupLr > 0)) throw new Error(`--warmup-lr must be > 0, got ${input.warmupLr}`);
  return {
    iterations: input.iterations,
    innerSteps: input.innerSteps,
    netSteps: input.netSteps,
    realBatch: input.realBatch,
    synBatch: input.synBatch,
    netWidth: input.netWidth,
    netDepth: input.netDepth ?? (imageSize >= 64 ? 4 : 3),
    netLr: input.netLr,
    netMomentum: input.netMomentum,
    netWeightDecay: input.netWeightDecay,
    hmnLr: input.hmnLr,
    distance: parseDistance(input.distance),
    augment: parseAugmentations(input.augment),
    networkLrScale: input.networkLrScale ?? DEFAULT_HYPER.networkLrScale,
    warmupSteps: input.warmupSteps ?? DEFAULT_HYPER.warmupSteps,
    warmupLr: input.warmupLr ?? DEFAULT_HYPER.warmupLr,
  };
}

/** The run description stored in checkpoints (what a resumed run must be asked again). */
export function describeRun(dataset: string, data: ImageDataset, p: Preset, seed: number, hyper: CondenseHyper): RunDescription {
  return {
    dataset,
    data: { name: data.name, split: data.split, count: data.count, checksum: dataChecksum(data.images, data.labels) },
    ipc: p.ipc,
    overBudget: p.overBudget,
    seed,
    hyper: { ...hyper },
    config: p.config,
  };
}

/** Where the run ran: Node and its platform, or the browser's user agent. */
export type RunPlatform = { node: string; platform: string } | { userAgent: string };

export interface ManifestInput {
  run: RunDescription;
  preset: Preset;
  hmn: Hmn;
  classNames: string[];
  iterationsDone: number;
  /** Seconds spent and iterations run in this session (a resumed run counts only its own). */
  seconds: number;
  iterationsRun: number;
  peakPoolBytes: number;
  adapter: E.Runtime['info']['adapterInfo'];
  platform: RunPlatform;
}

/** manifest.json's object: the run, the budget accounting, GIPC, progress, timings and versions. */
export function runManifest(m: ManifestInput) {
  return {
    ...m.run,
    budget: m.preset.breakdown,
    imagesPerClass: m.preset.config.imagesPerClass,
    generatedImages: m.hmn.rows,
    parameters: m.hmn.parameterCount(),
    classNames: m.classNames,
    iterationsDone: m.iterationsDone,
    finished: m.iterationsDone >= (m.run.hyper.iterations as number),
    secondsPerIteration: m.iterationsRun > 0 ? m.seconds / m.iterationsRun : null,
    peakPoolBytes: m.peakPoolBytes,
    adapter: { vendor: m.adapter.vendor, architecture: m.adapter.architecture, description: m.adapter.description },
    versions: { hmnWebgpu: PACKAGE_VERSION, ...m.platform },
  };
}

/** loss.json's text. */
export function lossJson(lossCurve: number[]): string {
  return JSON.stringify({ matchingLoss: lossCurve }, null, 2);
}

/** loss.csv's text. */
export function lossCsv(lossCurve: number[]): string {
  return ['iteration,matching_loss', ...lossCurve.map((l, i) => `${i + 1},${l}`)].join('\n') + '\n';
}
