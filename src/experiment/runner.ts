// The local experiment runner: every cell of a spec, one after another, condensed then evaluated, each
// step skipped when its output is already on disk. A failing cell is recorded (failed.json) and the others
// go on; running again retries it. At the end (and after every cell) the table, its JSON and the plot are
// rewritten from what is on disk, so they always show the grid's true state.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { channelStats, splitValidation } from '../data/dataset.js';
import { loadDatasetFromDir } from '../data/node-files.js';
import { floatImages } from '../evaluate/train.js';
import { writeFileAtomic } from '../node/atomic.js';
import { CellStopped, cellDir, condenseCell, evaluateCell, readEvaluation, type CellContext, type RealData } from './cells.js';
import { accuracyPlotSvg } from './plot.js';
import { cellId, cells, type Cell, type ExperimentSpec } from './spec.js';
import { buildTable, tableMarkdown, type CellState, type ResultTable } from './table.js';

export const EXPERIMENT_FILES = { spec: 'spec.json', table: 'results.md', json: 'results.json', plot: 'accuracy.svg', failed: 'failed.json' } as const;

/** The real training split (minus a validation split held out from it), the validation and test sets. */
export async function loadRealData(spec: ExperimentSpec, dataDir: string | undefined, log: (m: string) => void = () => {}): Promise<RealData> {
  const load = (split: 'train' | 'test') => loadDatasetFromDir(spec.dataset, { dataDir, split, perClass: spec.builtinPerClass, seed: 0 });
  const full = await load('train');
  const test = await load('test');
  // A fixed seed: every method and cell holds out the same validation images.
  const { train, validation } = splitValidation(full, { perClass: spec.evaluation.validationPerClass }, 0);
  log(`${spec.dataset}: ${train.count} training images (${validation.count} more held out for validation), ${test.count} test images`);
  return { train, validation: floatImages(validation), test: floatImages(test), stats: channelStats(train) };
}

/** The state of every cell as the files on disk say. */
export function cellStates(spec: ExperimentSpec, dir: string): Map<string, { cell: Cell; state: CellState }> {
  const out = new Map<string, { cell: Cell; state: CellState }>();
  for (const cell of cells(spec)) {
    const ev = readEvaluation({ dir }, cell);
    const failedPath = join(cellDir({ dir }, cell), EXPERIMENT_FILES.failed);
    let state: CellState = { state: 'missing' };
    if (ev) {
      state = {
        state: 'done',
        test: ev.test.runs,
        validation: ev.validation?.runs ?? [],
        stored: ev.condensed.stored,
        budget: ev.condensed.budget,
        images: ev.condensed.images,
        condenseSeconds: ev.condensed.seconds,
        evalSeconds: ev.seconds,
        ...(ev.condensed.prune ? { prunedBeta: ev.condensed.prune.beta } : {}),
      };
    } else if (existsSync(failedPath)) {
      state = { state: 'failed', error: (JSON.parse(readFileSync(failedPath, 'utf8')) as { error: string }).error };
    }
    out.set(cellId(cell), { cell, state });
  }
  return out;
}

export function writeResults(spec: ExperimentSpec, dir: string): ResultTable {
  const table = buildTable(spec, cellStates(spec, dir));
  const states = Object.fromEntries(cellStates(spec, dir));
  writeFileAtomic(join(dir, EXPERIMENT_FILES.json), JSON.stringify({ ...table, cells: states }, null, 2));
  writeFileAtomic(join(dir, EXPERIMENT_FILES.table), tableMarkdown(table));
  writeFileAtomic(join(dir, EXPERIMENT_FILES.plot), accuracyPlotSvg(table));
  return table;
}

/** Refuses a folder that holds another spec's experiment (its cells would not mean the same). */
export function claimExperimentDir(spec: ExperimentSpec, dir: string): void {
  const path = join(dir, EXPERIMENT_FILES.spec);
  const text = JSON.stringify(spec, null, 2);
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8');
    if (saved !== text) {
      const before = JSON.parse(saved) as Record<string, unknown>;
      const changed = Object.keys({ ...before, ...spec }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify((spec as unknown as Record<string, unknown>)[k]));
      throw new Error(`${dir} holds experiment '${before.name}' run with a different spec (changed: ${changed.join(', ')}); use another --out, or --overwrite to start afresh`);
    }
    return;
  }
  writeFileAtomic(path, text);
}

export interface RunSummary {
  table: ResultTable;
  ran: number;
  failed: number;
  stopped: boolean;
}

/** Runs every cell of the spec (or those `only` accepts) that is not yet done. */
export async function runExperiment(ctx: CellContext, only: (cell: Cell) => boolean = () => true): Promise<RunSummary> {
  const { spec, dir } = ctx;
  claimExperimentDir(spec, dir);
  const all = cells(spec).filter(only);
  let ran = 0;
  let failed = 0;
  for (const [i, cell] of all.entries()) {
    if (readEvaluation(ctx, cell)) continue;
    const failedPath = join(cellDir(ctx, cell), EXPERIMENT_FILES.failed);
    rmSync(failedPath, { force: true });
    ctx.log(`cell ${i + 1}/${all.length}: ${cellId(cell)}`);
    try {
      await condenseCell(ctx, cell);
      const ev = await evaluateCell(ctx, cell);
      ctx.log(`${cellId(cell)}: test accuracy ${(ev.test.mean * 100).toFixed(2)} ± ${(ev.test.std * 100).toFixed(2)} % (${ev.runs} runs)`);
      ran++;
    } catch (e) {
      if (e instanceof CellStopped) {
        return { table: writeResults(spec, dir), ran, failed, stopped: true };
      }
      failed++;
      const error = e instanceof Error ? e.message : String(e);
      ctx.log(`${cellId(cell)}: FAILED: ${error}`);
      writeFileAtomic(failedPath, JSON.stringify({ cell, error, stack: (e as Error).stack ?? null }, null, 2));
    }
    writeResults(spec, dir);
  }
  return { table: writeResults(spec, dir), ran, failed, stopped: false };
}
