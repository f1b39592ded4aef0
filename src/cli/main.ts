// hmn: the command-line front end. `hmn condense` condenses a dataset into an HMN and writes a run
// directory; `hmn info` summarises one. Every option, with its default, is in `hmn <command> --help`.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, helpText, UsageError, type OptionTable } from './args.js';
import { ProgressBar, formatBytes } from './progress.js';
import { preset } from '../hmn/presets.js';
import { Hmn } from '../hmn/model.js';
import { Condenser, DEFAULT_HYPER, type CondenseHyper } from '../condense/condenser.js';
import { parseAugmentations } from '../condense/augment.js';
import { DISTANCES, parseDistance } from '../condense/matching.js';
import { makeProceduralDataset } from '../data/procedural.js';
import { writeSafetensors, readSafetensors, type SafeTensor } from '../io/safetensors.js';
import { writeFileAtomic } from '../node/atomic.js';
import { encodePng, imageGrid } from '../node/png.js';

const CONDENSE_OPTIONS: OptionTable = {
  dataset: { type: 'string', default: 'builtin', choices: ['builtin'], help: 'dataset to condense (real-data loaders: see the README)' },
  'per-class': { type: 'int', default: 200, help: 'training images per class of the built-in dataset' },
  ipc: { type: 'number', default: 1, help: 'storage budget in images per class (IPC x classes x C x H x W floats)' },
  'over-budget': { type: 'number', default: 0, help: 'condense with (1 + p) x the budget, for pruning later' },
  iterations: { type: 'int', default: DEFAULT_HYPER.iterations, help: 'outer iterations (a fresh network each)' },
  'inner-steps': { type: 'int', default: DEFAULT_HYPER.innerSteps, help: 'HMN updates per network' },
  'net-steps': { type: 'int', default: DEFAULT_HYPER.netSteps, help: 'SGD steps of the network on real data between HMN updates' },
  'real-batch': { type: 'int', default: DEFAULT_HYPER.realBatch, help: 'real images per class per match' },
  'syn-batch': { type: 'int', default: DEFAULT_HYPER.synBatch, help: 'decoded images per class per match (at most)' },
  'net-width': { type: 'int', default: DEFAULT_HYPER.netWidth, help: 'ConvNet width' },
  'net-depth': { type: 'int', default: DEFAULT_HYPER.netDepth, help: 'ConvNet depth (3 for 32x32, 4 for 64x64)' },
  'net-lr': { type: 'number', default: DEFAULT_HYPER.netLr, help: 'network SGD learning rate' },
  'net-momentum': { type: 'number', default: DEFAULT_HYPER.netMomentum, help: 'network SGD momentum' },
  'net-weight-decay': { type: 'number', default: DEFAULT_HYPER.netWeightDecay, help: 'network SGD weight decay' },
  'hmn-lr': { type: 'number', default: DEFAULT_HYPER.hmnLr, help: 'Adam learning rate of the HMN parameters' },
  distance: { type: 'string', default: DEFAULT_HYPER.distance, choices: DISTANCES, help: 'gradient distance' },
  augment: { type: 'string', default: DEFAULT_HYPER.augment.join('_'), help: "shared augmentation: color, crop, cutout, flip, scale, rotate joined by '_', or none" },
  seed: { type: 'int', default: 0, help: 'random seed (same seed, same result)' },
  out: { type: 'string', default: 'runs/condense', help: 'run directory' },
};

/** `npm start`: a run small enough to finish in a few minutes on a CPU (lavapipe). */
export const QUICK_ARGS = ['--per-class', '100', '--iterations', '10', '--inner-steps', '2', '--real-batch', '16', '--syn-batch', '16', '--net-width', '32', '--out', 'runs/quick'];

async function condense(argv: string[]): Promise<void> {
  const o = parseOptions(argv, CONDENSE_OPTIONS, 'condense');
  const hyper: CondenseHyper = {
    iterations: o.iterations as number,
    innerSteps: o.innerSteps as number,
    netSteps: o.netSteps as number,
    realBatch: o.realBatch as number,
    synBatch: o.synBatch as number,
    netWidth: o.netWidth as number,
    netDepth: o.netDepth as number,
    netLr: o.netLr as number,
    netMomentum: o.netMomentum as number,
    netWeightDecay: o.netWeightDecay as number,
    hmnLr: o.hmnLr as number,
    distance: parseDistance(o.distance as string),
    augment: parseAugmentations(o.augment as string),
  };
  const seed = o.seed as number;
  const outDir = resolve(o.out as string);
  const rt = await E.initEngine();
  const adapter = rt.info.adapterInfo;
  console.log(`hmn condense: ${o.dataset}, IPC ${o.ipc}${o.overBudget ? ` (+${(o.overBudget as number) * 100}%)` : ''}, adapter ${adapter.description || adapter.vendor}`);
  const data = makeProceduralDataset({ perClass: o.perClass as number, seed });
  const p = preset(o.dataset as string, o.ipc as number, o.overBudget as number);
  const b = p.breakdown;
  console.log(`budget ${b.budget} floats; HMN stores ${b.total}: decoder ${b.decoder}, extractors ${b.extractors}, class memories ${b.classMemories}, dataset memory ${b.datasetMemory}, ${p.config.imagesPerClass} instance memories per class (${b.perImage} floats each)`);
  const hmn = Hmn.create(p.config, seed);
  const condenser = new Condenser(hmn, data, hyper, seed);
  const bar = new ProgressBar('condense');
  const started = Date.now();
  for (let i = 0; i < hyper.iterations; i++) {
    const { loss } = await condenser.step();
    bar.update({ done: i + 1, total: hyper.iterations, loss, poolBytes: E.memory().liveBytes });
  }
  bar.finish();
  const seconds = (Date.now() - started) / 1000;
  await writeRun(outDir, hmn, condenser, {
    dataset: o.dataset,
    ipc: o.ipc,
    overBudget: o.overBudget,
    seed,
    hyper,
    config: p.config,
    budget: b,
    secondsPerIteration: seconds / hyper.iterations,
    peakPoolBytes: E.memory().peakBytes,
    adapter,
    versions: { node: process.version, package: '0.1.0' },
  });
  console.log(`done in ${seconds.toFixed(0)} s (${(seconds / hyper.iterations).toFixed(2)} s/iteration, peak GPU pool ${formatBytes(E.memory().peakBytes)})`);
  console.log(`results: ${outDir}  (hmn.safetensors, manifest.json, loss.json, images.png)`);
  condenser.dispose();
  hmn.dispose();
}

async function writeRun(dir: string, hmn: Hmn, condenser: Condenser, manifest: Record<string, unknown>): Promise<void> {
  const state = await hmn.stateDict();
  const tensors: Record<string, SafeTensor> = { 'memory.instance_class': { dtype: 'I32', shape: [hmn.rows], data: hmn.instanceClass } };
  for (const [name, t] of Object.entries(state)) tensors[name] = { dtype: 'F32', shape: t.shape, data: t.data };
  writeFileAtomic(join(dir, 'hmn.safetensors'), writeSafetensors(tensors, { format: 'hmn-webgpu', config: JSON.stringify(hmn.config) }));
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, parameters: hmn.parameterCount(), rows: hmn.rows }, null, 2));
  writeFileAtomic(join(dir, 'loss.json'), JSON.stringify({ matchingLoss: condenser.lossCurve }, null, 2));
  // A grid: one row per class, its first 10 decoded images.
  const { classes, image } = hmn.config;
  const rows: number[] = [];
  for (let c = 0; c < classes; c++) rows.push(...hmn.rowsOfClass(c).slice(0, 10));
  const images = E.tidy(() => hmn.decode(rows));
  const grid = imageGrid(await images.floats(), rows.length, image.height, image.width, Math.min(10, hmn.config.imagesPerClass));
  images.dispose();
  writeFileAtomic(join(dir, 'images.png'), encodePng(grid.rgb, grid.width, grid.height));
}

function info(argv: string[]): void {
  const dir = argv[0];
  if (!dir || dir.startsWith('--')) throw new UsageError('usage: hmn info <run directory>');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const { tensors, metadata } = readSafetensors(new Uint8Array(readFileSync(join(dir, 'hmn.safetensors'))), join(dir, 'hmn.safetensors'));
  const stored = Object.entries(tensors).filter(([n]) => n !== 'memory.instance_class').reduce((s, [, t]) => s + t.data.length, 0);
  console.log(`${dir}: ${manifest.dataset}, IPC ${manifest.ipc}, seed ${manifest.seed}`);
  console.log(`  budget ${manifest.budget.budget} floats, stored ${stored} (${manifest.rows} generated images)`);
  console.log(`  tensors: ${Object.entries(tensors).map(([n, t]) => `${n} [${t.shape}]`).join(', ')}`);
  console.log(`  format ${metadata.format}; ${manifest.secondsPerIteration?.toFixed(2)} s/iteration`);
}

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<void> | void; options?: OptionTable }> = {
  condense: { summary: 'Condense a dataset into a Hierarchical Memory Network.', run: condense, options: CONDENSE_OPTIONS },
  quick: { summary: 'A small condensation of the built-in dataset (what `npm start` runs).', run: (argv) => condense([...QUICK_ARGS, ...argv]) },
  info: { summary: 'Summarise a run directory: hmn info <dir>.', run: info },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(['usage: hmn <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`), '', 'hmn <command> --help lists its options.'].join('\n'));
    return 0;
  }
  const cmd = COMMANDS[command];
  try {
    if (!cmd) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(cmd.options ? helpText(command, cmd.summary, cmd.options) : cmd.summary);
      return 0;
    }
    await cmd.run(rest);
    return 0;
  } catch (e) {
    console.error(`hmn: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
process.exit();
