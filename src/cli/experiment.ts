// `hmn experiment --spec cpu-small|paper|<file.json>`: run a grid of methods x IPC x seeds, condensing and
// evaluating every cell, resumable (a finished step is never redone), and write results.md, results.json
// and accuracy.svg in the shape of the paper's table.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '../../engine/index.js';
import { parseOptions, UsageError, type OptionTable } from './args.js';
import { parseSpec, SpecError, cells, METHODS, type ExperimentSpec, type Method } from '../experiment/spec.js';
import { loadRealData, runExperiment, EXPERIMENT_FILES } from '../experiment/runner.js';
import { tableMarkdown } from '../experiment/table.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { DataError } from '../io/errors.js';
import { submitExperiment } from './queue.js';
import { DEFAULT_RETRY } from '../queue/submit.js';

export const EXPERIMENT_OPTIONS: OptionTable = {
  spec: { type: 'string', help: "the spec: a shipped one by name (cpu-small, paper) or a JSON file's path" },
  'data-dir': { type: 'string', help: "the dataset's folder, or a folder holding it under its usual name (not for builtin)" },
  out: { type: 'string', help: 'experiment folder (default: runs/experiment-<spec name>)' },
  overwrite: { type: 'boolean', default: false, help: 'delete the folder\'s earlier results and start afresh' },
  methods: { type: 'string', help: 'run only these methods\' cells, comma-separated (the table still shows the whole grid)' },
  'dry-run': { type: 'boolean', default: false, help: 'check the spec and list its cells, run nothing' },
  queue: { type: 'string', help: 'submit the grid as jobs to this Redis job queue (redis://HOST:PORT/DB) for `hmn worker`s instead of running it here' },
  attempts: { type: 'int', help: `with --queue: tries per job before it stays failed (default ${DEFAULT_RETRY.attempts})` },
  'backoff-seconds': { type: 'number', help: `with --queue: first retry delay, doubling per retry (default ${DEFAULT_RETRY.backoffMs / 1000})` },
};

/** The shipped specs live in experiments/ at the package root. */
const SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'experiments');

export function readSpec(nameOrPath: string): ExperimentSpec {
  const shipped = join(SPEC_DIR, `${nameOrPath}.json`);
  const path = existsSync(nameOrPath) ? nameOrPath : existsSync(shipped) ? shipped : null;
  if (!path) throw new UsageError(`experiment: no spec '${nameOrPath}' (neither a file nor a shipped spec in ${SPEC_DIR})`);
  try {
    return parseSpec(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(`experiment: ${e.message}`);
    throw e;
  }
}

export async function experiment(argv: string[]): Promise<number> {
  const o = parseOptions(argv, EXPERIMENT_OPTIONS, 'experiment');
  if (!o.spec) throw new UsageError('experiment: --spec is required (cpu-small, paper, or a JSON file)');
  const spec = readSpec(o.spec as string);
  if (o.queue !== undefined) return submitExperiment(spec, o);
  if (spec.dataset !== 'builtin' && o.dataDir === undefined) throw new UsageError(`experiment: the spec uses ${spec.dataset}; give its folder with --data-dir`);
  const dir = resolve((o.out as string | undefined) ?? `runs/experiment-${spec.name}`);
  const only = o.methods === undefined ? null : (o.methods as string).split(',').filter(Boolean);
  const unknown = only?.filter((m) => !spec.methods.includes(m as Method));
  if (unknown?.length) throw new UsageError(`experiment: --methods names ${unknown.join(', ')}, not in the spec's methods (${spec.methods.join(', ')}; known: ${METHODS.join(', ')})`);
  const grid = cells(spec).filter((c) => !only || only.includes(c.method));
  console.log(`experiment '${spec.name}': ${spec.methods.length} methods x IPC ${spec.ipc.join('/')} x ${spec.seeds.length} seeds = ${grid.length} cells, ${spec.evaluation.runs} evaluation runs each; folder ${dir}`);
  if (o.dryRun) {
    for (const c of grid) console.log(`  ${c.method} IPC ${c.ipc} seed ${c.seed}`);
    return 0;
  }
  if (o.overwrite) rmSync(dir, { recursive: true, force: true });

  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s]`;
  const log = (m: string) => console.log(`${stamp()} ${m}`);
  let real;
  try {
    real = await loadRealData(spec, o.dataDir as string | undefined, log);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`experiment: loading ${spec.dataset}: ${(e as Error).message}`);
  }
  await E.initEngine();
  loadTuningFile();

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\ninterrupted: the current cell saves a checkpoint after this iteration (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runExperiment({ spec, real, dir, log, shouldStop: () => stopRequested }, (c) => !only || only.includes(c.method));
    console.log('');
    console.log(tableMarkdown(summary.table));
    console.log(`${summary.ran} cells run, ${summary.failed} failed, in ${((Date.now() - started) / 60000).toFixed(1)} min; ${join(dir, EXPERIMENT_FILES.table)}, ${EXPERIMENT_FILES.json}, ${EXPERIMENT_FILES.plot}`);
    if (summary.stopped) {
      console.log('stopped; run the same command again to continue');
      return 130;
    }
    return summary.failed ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
