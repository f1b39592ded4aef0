// The settings form: built from one table (ids are the CLI's option names, so `--net-width` is #net-width),
// read into a run's settings, and filled back from a checkpoint's run description.
import { AUGMENTATIONS } from '../condense/augment.js';
import { DEFAULT_HYPER } from '../condense/condenser.js';
import { DISTANCES } from '../condense/matching.js';
import type { HyperInput } from '../condense/run-files.js';
import type { RunDescription } from '../condense/checkpoint.js';
import { DATASET_NAMES, type DatasetName } from '../data/registry.js';

interface Field {
  id: string;
  label: string;
  kind: 'int' | 'number' | 'text' | 'choice' | 'check';
  value: string | number | boolean;
  choices?: readonly string[];
  help?: string;
}

// Defaults: `npm start`'s quick run (hmn quick), small enough for a laptop GPU or a CPU adapter.
const FIELDS: Field[] = [
  { id: 'dataset', label: 'dataset', kind: 'choice', value: 'builtin', choices: [...DATASET_NAMES].sort((a, b) => (a === 'builtin' ? -1 : b === 'builtin' ? 1 : a.localeCompare(b))) },
  { id: 'per-class', label: 'builtin images per class', kind: 'int', value: 100 },
  { id: 'limit-per-class', label: 'Tiny-ImageNet: at most per class', kind: 'int', value: 500 },
  { id: 'ipc', label: 'IPC (budget in images per class)', kind: 'number', value: 1 },
  { id: 'over-budget', label: 'over budget (for pruning, e.g. 0.1)', kind: 'number', value: 0 },
  { id: 'seed', label: 'seed', kind: 'int', value: 0 },
  { id: 'iterations', label: 'iterations', kind: 'int', value: 10 },
  { id: 'inner-steps', label: 'inner steps', kind: 'int', value: 2 },
  { id: 'net-steps', label: 'network steps', kind: 'int', value: DEFAULT_HYPER.netSteps },
  { id: 'real-batch', label: 'real batch', kind: 'int', value: 16 },
  { id: 'syn-batch', label: 'synthetic batch', kind: 'int', value: 16 },
  { id: 'net-width', label: 'ConvNet width', kind: 'int', value: 32 },
  { id: 'net-lr', label: 'network lr', kind: 'number', value: DEFAULT_HYPER.netLr },
  { id: 'net-momentum', label: 'network momentum', kind: 'number', value: DEFAULT_HYPER.netMomentum },
  { id: 'net-weight-decay', label: 'network weight decay', kind: 'number', value: DEFAULT_HYPER.netWeightDecay },
  { id: 'hmn-lr', label: 'HMN Adam lr', kind: 'number', value: DEFAULT_HYPER.hmnLr },
  { id: 'network-lr-scale', label: 'lr scale of extractor and decoder weights', kind: 'number', value: DEFAULT_HYPER.networkLrScale, help: 'multiplies the HMN lr for the extractor and decoder weights; the memories keep it' },
  { id: 'warmup-steps', label: 'warm-up steps (0: none)', kind: 'int', value: DEFAULT_HYPER.warmupSteps, help: 'before matching: Adam steps fitting the decoded images to random real images of their class' },
  { id: 'warmup-lr', label: 'warm-up lr', kind: 'number', value: DEFAULT_HYPER.warmupLr },
  { id: 'distance', label: 'gradient distance', kind: 'choice', value: DEFAULT_HYPER.distance, choices: DISTANCES },
  { id: 'augment', label: 'augmentation', help: `${AUGMENTATIONS.join(', ')} joined by _, or none`, kind: 'text', value: DEFAULT_HYPER.augment.join('_') },
  { id: 'checkpoint-every', label: 'checkpoint every N iterations', kind: 'int', value: 5 },
  { id: 'track', label: 'track the distance on fixed networks (slower)', kind: 'check', value: true },
];

export interface Settings {
  dataset: DatasetName;
  perClass: number;
  limitPerClass: number;
  ipc: number;
  overBudget: number;
  seed: number;
  hyper: HyperInput;
  checkpointEvery: number;
  track: boolean;
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement | HTMLSelectElement;

export function buildForm(container: HTMLElement): void {
  for (const f of FIELDS) {
    const label = document.createElement('label');
    label.textContent = f.label;
    if (f.help) label.title = f.help;
    let el: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'choice') {
      el = document.createElement('select');
      for (const c of f.choices!) el.append(new Option(c, c));
      el.value = String(f.value);
    } else {
      el = document.createElement('input');
      if (f.kind === 'check') {
        el.type = 'checkbox';
        el.checked = f.value as boolean;
      } else {
        el.type = f.kind === 'text' ? 'text' : 'number';
        if (f.kind === 'number') el.step = 'any';
        el.value = String(f.value);
      }
    }
    el.id = f.id;
    el.name = f.id;
    label.append(el);
    container.append(label);
  }
}

function num(id: string): number {
  const v = input(id).value.trim();
  const n = Number(v);
  if (v === '' || !Number.isFinite(n)) throw new Error(`${id}: '${v}' is not a number`);
  return n;
}

function int(id: string): number {
  const n = num(id);
  if (!Number.isInteger(n)) throw new Error(`${id}: ${n} is not a whole number`);
  return n;
}

/** The form as settings; an Error names the field that is not a number. Ranges are checked by condenseHyper. */
export function readSettings(): Settings {
  return {
    dataset: input('dataset').value as DatasetName,
    perClass: int('per-class'),
    limitPerClass: int('limit-per-class'),
    ipc: num('ipc'),
    overBudget: num('over-budget'),
    seed: int('seed'),
    checkpointEvery: int('checkpoint-every'),
    track: (input('track') as HTMLInputElement).checked,
    hyper: {
      iterations: int('iterations'),
      innerSteps: int('inner-steps'),
      netSteps: int('net-steps'),
      realBatch: int('real-batch'),
      synBatch: int('syn-batch'),
      netWidth: int('net-width'),
      netLr: num('net-lr'),
      netMomentum: num('net-momentum'),
      netWeightDecay: num('net-weight-decay'),
      hmnLr: num('hmn-lr'),
      networkLrScale: num('network-lr-scale'),
      warmupSteps: int('warmup-steps'),
      warmupLr: num('warmup-lr'),
      distance: input('distance').value,
      augment: input('augment').value.trim(),
    },
  };
}

/** Show a checkpoint's run in the form (what a resumed run continues with). */
export function fillFromRun(run: RunDescription): void {
  const h = run.hyper as Record<string, unknown>;
  const set = (id: string, v: unknown) => (input(id).value = String(v));
  set('dataset', run.dataset);
  if (run.dataset === 'builtin') set('per-class', run.data.count / run.config.classes);
  set('ipc', run.ipc);
  set('over-budget', run.overBudget);
  set('seed', run.seed);
  const map: Record<string, string> = {
    iterations: 'iterations', innerSteps: 'inner-steps', netSteps: 'net-steps', realBatch: 'real-batch', synBatch: 'syn-batch', netWidth: 'net-width',
    netLr: 'net-lr', netMomentum: 'net-momentum', netWeightDecay: 'net-weight-decay', hmnLr: 'hmn-lr', distance: 'distance',
    networkLrScale: 'network-lr-scale', warmupSteps: 'warmup-steps', warmupLr: 'warmup-lr',
  };
  for (const [key, id] of Object.entries(map)) if (h[key] !== undefined) set(id, h[key]);
  set('augment', (h.augment as string[]).length ? (h.augment as string[]).join('_') : 'none');
}

/** Lock the form while a run uses it. */
export function lockForm(locked: boolean): void {
  for (const f of FIELDS) input(f.id).disabled = locked;
}
