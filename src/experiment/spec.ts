// An experiment spec: which methods, budgets (IPC) and condensation seeds to run, and with what settings.
// Every cell (method x IPC x seed) is condensed once and evaluated `evaluation.runs` times. The spec is
// JSON; parsing checks every field and names the first wrong one (with its path), so a typo is refused
// before anything runs.
import { DATASET_NAMES, type DatasetName } from '../data/registry.js';
import { AUGMENTATIONS } from '../condense/augment.js';
import { DISTANCES } from '../condense/matching.js';

export const METHODS = ['hmn', 'hmn-pruned', 'pixel-gm', 'dm', 'random'] as const;
export type Method = (typeof METHODS)[number];

/** What the paper's tables call each method. */
export const METHOD_LABELS: Record<Method, string> = {
  hmn: 'HMN',
  'hmn-pruned': 'HMN + pruning',
  'pixel-gm': 'Pixel gradient matching',
  dm: 'Distribution matching (DM)',
  random: 'Random real',
};

export interface HmnSettings {
  iterations: number;
  innerSteps: number;
  netSteps: number;
  realBatch: number;
  synBatch: number;
  netWidth: number;
  hmnLr: number;
  distance: (typeof DISTANCES)[number];
  augment: string;
  checkpointEvery: number;
  /** Multiplies hmnLr for the extractor and decoder weights. */
  networkLrScale: number;
  /** Adam steps fitting the fresh HMN's images to random real images of their class before matching (0: none). */
  warmupSteps: number;
  warmupLr: number;
}

export interface PixelGmSettings extends Omit<HmnSettings, 'hmnLr' | 'warmupSteps' | 'warmupLr' | 'networkLrScale'> {
  lr: number;
}

export interface DmSettings {
  iterations: number;
  realBatch: number;
  netWidth: number;
  lr: number;
  augment: string;
}

export interface PruneSettings {
  overBudget: number;
  betas: number[];
  /** Epochs of the training whose margins give the AUM. */
  aumEpochs: number;
  /** Networks trained per beta to score it on the validation split. */
  selectRuns: number;
  /** Epochs of each of those trainings. */
  selectEpochs: number;
}

export interface EvaluationSettings {
  runs: number;
  epochs: number;
  batch: number;
  lr: number;
  width: number;
  augment: string;
  cutmixProb: number;
  validationPerClass: number;
}

export interface ExperimentSpec {
  name: string;
  description: string;
  dataset: DatasetName;
  /** Training images per class of the built-in dataset (ignored for real datasets). */
  builtinPerClass: number;
  methods: Method[];
  ipc: number[];
  seeds: number[];
  hmn: HmnSettings;
  pixelGm: PixelGmSettings;
  dm: DmSettings;
  prune: PruneSettings;
  evaluation: EvaluationSettings;
}

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

type Json = Record<string, unknown>;

// Field readers: each names the field's path in its message.
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(v: unknown, path: string): Json {
  if (!isObject(v)) throw new SpecError(`${path} must be an object, got ${JSON.stringify(v)}`);
  return v;
}

function noUnknownKeys(o: Json, known: string[], path: string): void {
  const extra = Object.keys(o).filter((k) => !known.includes(k));
  if (extra.length) throw new SpecError(`${path}: unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
}

function numberAt(o: Json, key: string, path: string, check: { int?: boolean; min?: number; max?: number; above?: number }, fallback?: number): number {
  const v = o[key] ?? fallback;
  const where = `${path}.${key}`;
  if (v === undefined) throw new SpecError(`${where} is missing`);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(`${where} must be a number, got ${JSON.stringify(v)}`);
  if (check.int && !Number.isInteger(v)) throw new SpecError(`${where} must be a whole number, got ${v}`);
  if (check.min !== undefined && v < check.min) throw new SpecError(`${where} must be at least ${check.min}, got ${v}`);
  if (check.max !== undefined && v > check.max) throw new SpecError(`${where} must be at most ${check.max}, got ${v}`);
  if (check.above !== undefined && !(v > check.above)) throw new SpecError(`${where} must be greater than ${check.above}, got ${v}`);
  return v;
}

function stringAt(o: Json, key: string, path: string, fallback?: string, choices?: readonly string[]): string {
  const v = o[key] ?? fallback;
  const where = `${path}.${key}`;
  if (typeof v !== 'string') throw new SpecError(`${where} must be a string, got ${JSON.stringify(v)}`);
  if (choices && !choices.includes(v)) throw new SpecError(`${where} is '${v}'; choose from ${choices.join(', ')}`);
  return v;
}

function listAt<T>(o: Json, key: string, path: string, item: (v: unknown, where: string) => T, fallback?: T[]): T[] {
  const v = o[key] ?? fallback;
  const where = `${path}.${key}`;
  if (!Array.isArray(v) || v.length === 0) throw new SpecError(`${where} must be a non-empty list, got ${JSON.stringify(v)}`);
  const out = v.map((x, i) => item(x, `${where}[${i}]`));
  const seen = new Set<string>();
  for (const x of out) {
    const k = JSON.stringify(x);
    if (seen.has(k)) throw new SpecError(`${where} lists ${k} twice`);
    seen.add(k);
  }
  return out;
}

function augmentAt(o: Json, key: string, path: string, fallback: string): string {
  const v = stringAt(o, key, path, fallback);
  if (v === 'none') return v;
  for (const a of v.split('_')) {
    if (!(AUGMENTATIONS as readonly string[]).includes(a)) throw new SpecError(`${path}.${key}: unknown augmentation '${a}' (choose from ${AUGMENTATIONS.join(', ')}, joined by '_', or 'none')`);
  }
  return v;
}

const DEFAULT_HMN: HmnSettings = {
  iterations: 1000, innerSteps: 10, netSteps: 1, realBatch: 64, synBatch: 128, netWidth: 128,
  hmnLr: 0.005, distance: 'mse', augment: 'color_crop_cutout', checkpointEvery: 10, warmupSteps: 0, warmupLr: 0.01, networkLrScale: 1,
};

function matchingSettings(o: Json, path: string, defaults: PixelGmSettings | HmnSettings): Omit<PixelGmSettings, 'lr'> {
  const pos = { int: true, min: 1 };
  return {
    iterations: numberAt(o, 'iterations', path, pos, defaults.iterations),
    innerSteps: numberAt(o, 'innerSteps', path, pos, defaults.innerSteps),
    netSteps: numberAt(o, 'netSteps', path, { int: true, min: 0 }, defaults.netSteps),
    realBatch: numberAt(o, 'realBatch', path, pos, defaults.realBatch),
    synBatch: numberAt(o, 'synBatch', path, pos, defaults.synBatch),
    netWidth: numberAt(o, 'netWidth', path, pos, defaults.netWidth),
    distance: stringAt(o, 'distance', path, defaults.distance, DISTANCES) as HmnSettings['distance'],
    augment: augmentAt(o, 'augment', path, defaults.augment),
    checkpointEvery: numberAt(o, 'checkpointEvery', path, pos, defaults.checkpointEvery),
  };
}

const MATCHING_KEYS = ['iterations', 'innerSteps', 'netSteps', 'realBatch', 'synBatch', 'netWidth', 'distance', 'augment', 'checkpointEvery'];

/** Parse and check a spec's JSON text; `source` names it in messages. Missing sections take the defaults. */
export function parseSpec(text: string, source = 'spec'): ExperimentSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return checkSpec(raw);
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(`${source}: ${e.message}`);
    throw e;
  }
}

export function checkSpec(raw: unknown): ExperimentSpec {
  const top = objectAt(raw, 'spec');
  noUnknownKeys(top, ['name', 'description', 'dataset', 'builtinPerClass', 'methods', 'ipc', 'seeds', 'hmn', 'pixelGm', 'dm', 'prune', 'evaluation'], 'spec');
  const p = 'spec';
  const name = stringAt(top, 'name', p);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new SpecError(`spec.name '${name}' may hold only letters, digits, '.', '_' and '-' (it names folders)`);

  const hmnRaw = objectAt(top.hmn ?? {}, 'spec.hmn');
  noUnknownKeys(hmnRaw, [...MATCHING_KEYS, 'hmnLr', 'networkLrScale', 'warmupSteps', 'warmupLr'], 'spec.hmn');
  const hmn: HmnSettings = {
    ...matchingSettings(hmnRaw, 'spec.hmn', DEFAULT_HMN),
    hmnLr: numberAt(hmnRaw, 'hmnLr', 'spec.hmn', { above: 0 }, DEFAULT_HMN.hmnLr),
    networkLrScale: numberAt(hmnRaw, 'networkLrScale', 'spec.hmn', { above: 0 }, DEFAULT_HMN.networkLrScale),
    warmupSteps: numberAt(hmnRaw, 'warmupSteps', 'spec.hmn', { int: true, min: 0 }, DEFAULT_HMN.warmupSteps),
    warmupLr: numberAt(hmnRaw, 'warmupLr', 'spec.hmn', { above: 0 }, DEFAULT_HMN.warmupLr),
  };

  const pgRaw = objectAt(top.pixelGm ?? {}, 'spec.pixelGm');
  noUnknownKeys(pgRaw, [...MATCHING_KEYS, 'lr'], 'spec.pixelGm');
  const pixelGm: PixelGmSettings = { ...matchingSettings(pgRaw, 'spec.pixelGm', hmn), lr: numberAt(pgRaw, 'lr', 'spec.pixelGm', { above: 0 }, 0.01) };

  const dmRaw = objectAt(top.dm ?? {}, 'spec.dm');
  noUnknownKeys(dmRaw, ['iterations', 'realBatch', 'netWidth', 'lr', 'augment'], 'spec.dm');
  const dm: DmSettings = {
    iterations: numberAt(dmRaw, 'iterations', 'spec.dm', { int: true, min: 1 }, 1000),
    realBatch: numberAt(dmRaw, 'realBatch', 'spec.dm', { int: true, min: 1 }, 256),
    netWidth: numberAt(dmRaw, 'netWidth', 'spec.dm', { int: true, min: 1 }, hmn.netWidth),
    lr: numberAt(dmRaw, 'lr', 'spec.dm', { above: 0 }, 1),
    augment: augmentAt(dmRaw, 'augment', 'spec.dm', 'color_crop_cutout_flip_scale_rotate'),
  };

  const prRaw = objectAt(top.prune ?? {}, 'spec.prune');
  noUnknownKeys(prRaw, ['overBudget', 'betas', 'aumEpochs', 'selectRuns', 'selectEpochs'], 'spec.prune');
  const betaItem = (v: unknown, where: string) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new SpecError(`${where} must be a number in [0, 1], got ${JSON.stringify(v)}`);
    return v;
  };
  const prune: PruneSettings = {
    overBudget: numberAt(prRaw, 'overBudget', 'spec.prune', { above: 0, max: 1 }, 0.1),
    betas: listAt(prRaw, 'betas', 'spec.prune', betaItem, [0, 0.25, 0.5, 0.75, 1]),
    aumEpochs: numberAt(prRaw, 'aumEpochs', 'spec.prune', { int: true, min: 1 }, 300),
    selectRuns: numberAt(prRaw, 'selectRuns', 'spec.prune', { int: true, min: 1 }, 1),
    selectEpochs: numberAt(prRaw, 'selectEpochs', 'spec.prune', { int: true, min: 1 }, 300),
  };

  const evRaw = objectAt(top.evaluation ?? {}, 'spec.evaluation');
  noUnknownKeys(evRaw, ['runs', 'epochs', 'batch', 'lr', 'width', 'augment', 'cutmixProb', 'validationPerClass'], 'spec.evaluation');
  const evaluation: EvaluationSettings = {
    runs: numberAt(evRaw, 'runs', 'spec.evaluation', { int: true, min: 1 }, 10),
    epochs: numberAt(evRaw, 'epochs', 'spec.evaluation', { int: true, min: 1 }, 1000),
    batch: numberAt(evRaw, 'batch', 'spec.evaluation', { int: true, min: 1 }, 64),
    lr: numberAt(evRaw, 'lr', 'spec.evaluation', { above: 0 }, 0.01),
    width: numberAt(evRaw, 'width', 'spec.evaluation', { int: true, min: 1 }, 128),
    augment: augmentAt(evRaw, 'augment', 'spec.evaluation', 'color_crop_flip_scale_rotate'),
    cutmixProb: numberAt(evRaw, 'cutmixProb', 'spec.evaluation', { min: 0, max: 1 }, 0.5),
    validationPerClass: numberAt(evRaw, 'validationPerClass', 'spec.evaluation', { int: true, min: 1 }, 100),
  };

  const intItem = (min: number) => (v: unknown, where: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SpecError(`${where} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    name,
    description: stringAt(top, 'description', p, ''),
    dataset: stringAt(top, 'dataset', p, undefined, DATASET_NAMES) as DatasetName,
    builtinPerClass: numberAt(top, 'builtinPerClass', p, { int: true, min: 1 }, 500),
    methods: listAt(top, 'methods', p, (v, where) => {
      if (typeof v !== 'string' || !(METHODS as readonly string[]).includes(v)) throw new SpecError(`${where} is ${JSON.stringify(v)}; methods are ${METHODS.join(', ')}`);
      return v as Method;
    }),
    ipc: listAt(top, 'ipc', p, intItem(1)),
    seeds: listAt(top, 'seeds', p, intItem(0), [0]),
    hmn,
    pixelGm,
    dm,
    prune,
    evaluation,
  };
}

export interface Cell {
  method: Method;
  ipc: number;
  seed: number;
}

/** A cell's stable id: names its folder (and, for a queue, its job). */
export function cellId(c: Cell): string {
  return `${c.method}-ipc${c.ipc}-seed${c.seed}`;
}

/** Every cell of the grid, method-major. */
export function cells(spec: ExperimentSpec): Cell[] {
  return spec.methods.flatMap((method) => spec.ipc.flatMap((ipc) => spec.seeds.map((seed) => ({ method, ipc, seed }))));
}
