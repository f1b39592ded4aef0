// The browser app: wires the settings form, a run (run.ts), the live views, downloads, evaluation and
// pruning, and loading a result back. Everything it computes goes through the same engine and HMN code as
// the `hmn` command line. State for the tests (test/web/app.test.ts) is published on window.__hmnApp.
import * as E from '../../engine/index.js';
import { decodeCheckpoint, decodeHmn, describeMismatch, type Checkpoint } from '../condense/checkpoint.js';
import { condenseHyper, describeRun, RUN_FILES } from '../condense/run-files.js';
import { channelStats, splitValidation, type ImageDataset } from '../data/dataset.js';
import type { FileSource } from '../data/files.js';
import { decodeAll } from '../hmn/decode-all.js';
import { Hmn } from '../hmn/model.js';
import { preset, type Preset } from '../hmn/presets.js';
import { evaluateImages, formatSummary } from '../evaluate/evaluate.js';
import { DEFAULT_TRAIN, floatImages, type TrainOptions } from '../evaluate/train.js';
import { DEFAULT_BETAS, pruneHmn } from '../prune/prune.js';
import { buildForm, fillFromRun, lockForm, readSettings, type Settings } from './controls.js';
import { loadSplit, sourceFromFiles, type DataChoice } from './data.js';
import { download } from './downloads.js';
import { drawGrid, gridPng, overviewGrid } from './image-grid.js';
import { drawLossCurves } from './loss-curve.js';
import { formatBytes, NoWebGpuError, startEngine } from './gpu.js';
import { RunController } from './run.js';
import { deleteCheckpoint, loadCheckpoint, type SavedCheckpoint } from './store.js';
import type { AppState } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const button = (id: string) => $<HTMLButtonElement>(id);

const state: AppState = {
  ready: false,
  noWebGpu: null,
  status: 'idle',
  iteration: 0,
  iterations: 0,
  lossCurve: [],
  tracked: [],
  iterationsPerSecond: null,
  poolBytes: 0,
  peakPoolBytes: 0,
  checkpointIteration: -1,
  errors: [],
  evaluation: null,
  viewer: null,
};
window.__hmnApp = state;

/** Columns of the live image grid: decoded images shown per class. */
const GRID_COLUMNS = 8;

let run: RunController | null = null;
/** The picked dataset files (none for the built-in dataset). */
let picked: { source: FileSource; label: string } | null = null;
/** A result loaded from disk, shown in the viewer and used by Evaluate when no run is there. */
let loaded: { hmn: Hmn; classNames: string[]; file: string } | null = null;
/** The prune report of the current run, when it was pruned (it goes into the manifest). */
let pruned: object | null = null;

// ---------------------------------------------------------------- errors

/** Explain an error in the page; never swallow it. A lost device says where the work is kept. */
function showError(where: string, e: unknown): void {
  let text = e instanceof Error ? e.message : String(e);
  if (e instanceof E.DeviceLostError) {
    // The engine's advice (initEngine) is for programmers; a user needs to know where the work is.
    text = `${text.replace(/; create a new engine.*$/, '')}. ${keptWork()}`;
  }
  console.error(`${where}:`, e);
  state.errors.push(`${where}: ${text}`);
  const li = document.createElement('li');
  li.textContent = `${where}: ${text}`;
  $('errors').append(li);
  $('error-panel').hidden = false;
}

function keptWork(): string {
  if (run && run.checkpointIteration >= 0) return `The checkpoint at iteration ${run.checkpointIteration} is kept in this browser: reload the page to resume from it.`;
  return 'Reload the page to start again.';
}

/**
 * A GPU call cut short by a lost device fails with whatever the browser says about that call (e.g. "Buffer
 * was unmapped before mapping was resolved"); if the device is lost, or is reported lost a moment later,
 * say that instead.
 */
async function explain(e: unknown): Promise<unknown> {
  if (e instanceof E.DeviceLostError || !E.hasRuntime()) return e;
  const lost = await Promise.race([E.runtime().device.lost, new Promise<null>((r) => setTimeout(() => r(null), 250))]);
  return lost ? new E.DeviceLostError(`${lost.reason}${lost.message ? `: ${lost.message}` : ''}`) : e;
}

/** Run an action from a button, showing its error instead of losing it. */
function guarded(where: string, f: () => Promise<void> | void): () => void {
  return () => {
    Promise.resolve()
      .then(f)
      .catch(async (e) => showError(where, await explain(e)))
      .finally(refreshButtons);
  };
}

// ---------------------------------------------------------------- views

function refreshButtons(): void {
  const s = run?.status;
  const busy = s === 'running' || s === 'pausing' || s === 'stopping';
  state.status = s ?? 'idle';
  button('start').disabled = !state.ready || busy || s === 'paused';
  button('pause').disabled = s !== 'running';
  button('resume').disabled = s !== 'paused' || !!pruned;
  button('stop').disabled = !(s === 'running' || s === 'paused' || s === 'pausing');
  const haveResult = !!run && !busy;
  for (const id of ['dl-hmn', 'dl-manifest', 'dl-checkpoint', 'dl-loss', 'dl-png']) button(id).disabled = !haveResult;
  if (pruned) button('dl-checkpoint').disabled = true; // a pruned HMN no longer matches its Adam state
  button('evaluate').disabled = !state.ready || busy || (!run && !loaded);
  button('prune').disabled = !state.ready || busy || !run || !(run.run.overBudget > 0) || !!pruned;
  lockForm(busy || s === 'paused');
}

function showStats(): void {
  if (!run) return;
  const mem = E.memory();
  state.iteration = run.iteration;
  state.iterations = run.iterations;
  state.lossCurve = [...run.condenser.lossCurve];
  state.tracked = run.tracked.map(([i, v]) => [i, v]);
  state.iterationsPerSecond = run.iterationsPerSecond;
  state.poolBytes = mem.liveBytes;
  state.peakPoolBytes = mem.peakBytes;
  state.checkpointIteration = run.checkpointIteration;
  const speed = run.iterationsPerSecond;
  const last = state.lossCurve.at(-1);
  $('stats').textContent =
    `${run.status}: iteration ${run.iteration} of ${run.iterations}` +
    (last !== undefined ? ` · loss ${last.toFixed(4)}` : '') +
    (speed ? ` · ${speed.toFixed(3)} it/s (${(1 / speed).toFixed(2)} s/iteration)` : '') +
    ` · GPU pool ${formatBytes(mem.liveBytes)} live, ${formatBytes(mem.peakBytes)} peak` +
    (run.checkpointIteration >= 0 ? ` · checkpoint at iteration ${run.checkpointIteration} saved in this browser` : '');
}

async function showImages(hmn: Hmn, canvas: HTMLCanvasElement): Promise<void> {
  const grid = await overviewGrid(hmn, Math.min(GRID_COLUMNS, hmn.config.imagesPerClass));
  drawGrid(canvas, grid);
  canvas.style.width = `${grid.width * 2}px`;
}

function showLoss(): void {
  if (!run) return;
  const series = [{ name: 'training matching loss (loss.csv)', points: run.condenser.lossCurve.map((v, i) => [i + 1, v] as [number, number]), colour: '#1f6fd1' }];
  if (run.tracked.length) series.push({ name: 'distance on fixed networks', points: run.tracked, colour: '#d1491f' });
  drawLossCurves($('loss') as unknown as SVGSVGElement, series, run.iterations);
}

async function showRun(): Promise<void> {
  if (!run) return;
  showStats();
  showLoss();
  await showImages(run.hmn, $<HTMLCanvasElement>('images'));
}

// ---------------------------------------------------------------- data

function dataChoice(s: Settings): DataChoice {
  return { dataset: s.dataset, perClass: s.perClass, limitPerClass: s.limitPerClass, source: picked?.source };
}

/** Loaded splits, kept while the choice stays the same (loading Tiny-ImageNet takes a while). */
const splitCache = new Map<string, ImageDataset>();
async function split(choice: DataChoice, which: 'train' | 'test'): Promise<ImageDataset> {
  const key = JSON.stringify([choice.dataset, choice.perClass, choice.limitPerClass, choice.dataset === 'builtin' ? '' : picked?.label, which]);
  let ds = splitCache.get(key);
  if (!ds) {
    $('stats').textContent = `loading ${choice.dataset}/${which}…`;
    try {
      ds = await loadSplit(choice, which, (done, total) => ($('stats').textContent = `loading ${choice.dataset}/${which}: ${done} of ${total}`));
    } catch (e) {
      $('stats').textContent = `could not load ${choice.dataset}/${which}: see the errors above`;
      throw e;
    }
    $('stats').textContent = `${choice.dataset}/${which}: ${ds.count} images`;
    splitCache.set(key, ds);
  }
  return ds;
}

async function pickFiles(files: FileList | null): Promise<void> {
  picked = null;
  splitCache.clear();
  $('files-text').textContent = '';
  if (!files || files.length === 0) return;
  const list = Array.from(files);
  $('files-text').textContent = `reading ${list.length} file(s)…`;
  const source = await sourceFromFiles(list);
  picked = { source, label: `${list.length}:${list.map((f) => `${f.name}/${f.size}`).join(',')}` };
  $('files-text').textContent = `${source.label} (${list.length} file${list.length > 1 ? 's' : ''})`;
}

// ---------------------------------------------------------------- runs

function hooks() {
  return {
    onIteration: () => showRun(),
    onStatus: () => {
      refreshButtons();
      showStats();
    },
    onCheckpoint: () => showStats(),
  };
}

/** The run the form describes: its preset, checked hyper-parameters and training images. */
async function prepare(s: Settings): Promise<{ p: Preset; data: ImageDataset; hyper: ReturnType<typeof condenseHyper> }> {
  if (!(s.ipc > 0)) throw new Error(`ipc must be > 0, got ${s.ipc}`);
  if (!(s.checkpointEvery >= 1)) throw new Error(`checkpoint-every must be at least 1, got ${s.checkpointEvery}`);
  const p = preset(s.dataset, s.ipc, s.overBudget);
  const hyper = condenseHyper(s.hyper, p.config.image.height);
  const data = await split(dataChoice(s), 'train');
  return { p, data, hyper };
}

function replaceRun(next: RunController | null): void {
  if (run) {
    run.dispose();
    run.hmn.dispose();
  }
  run = next;
  pruned = null;
  state.evaluation = null;
  $('eval-log').textContent = '';
  $('eval-log').hidden = true;
}

async function startNew(): Promise<void> {
  const s = readSettings();
  const { p, data, hyper } = await prepare(s);
  const description = describeRun(s.dataset, data, p, s.seed, hyper);
  replaceRun(new RunController(Hmn.create(p.config, s.seed), data, description, p, s.dataset === 'builtin' ? 'builtin' : picked!.source.label, { checkpointEvery: s.checkpointEvery, track: s.track }, hooks()));
  $('saved').hidden = true;
  await showRun();
  await run!.start();
}

/** Continue a checkpoint saved in this browser: the same run description, the same images. */
async function resumeSaved(saved: SavedCheckpoint): Promise<void> {
  const ck: Checkpoint & { hmn: Hmn } = decodeCheckpoint(saved.bytes, 'the checkpoint saved in this browser');
  fillFromRun(ck.run);
  const s = readSettings();
  let prepared;
  try {
    prepared = await prepare(s);
  } catch (e) {
    ck.hmn.dispose();
    throw e;
  }
  const { p, data } = prepared;
  const now = describeRun(s.dataset, data, p, ck.run.seed, ck.run.hyper as never);
  const mismatch = describeMismatch(ck.run, now);
  if (mismatch.length) {
    ck.hmn.dispose();
    throw new Error(`the saved checkpoint was made with other data or settings (pick the same files): ${mismatch.join('; ')}`);
  }
  replaceRun(new RunController(ck.hmn, data, ck.run, p, saved.source, { checkpointEvery: s.checkpointEvery, track: s.track }, hooks(), ck.progress));
  $('saved').hidden = true;
  await showRun();
  await run!.start();
}

async function offerSaved(): Promise<void> {
  const saved = await loadCheckpoint();
  state.savedOffer = saved ? { iteration: saved.iteration, iterations: saved.iterations, dataset: saved.dataset } : null;
  if (!saved) return;
  $('saved-text').textContent = `A checkpoint is saved in this browser: ${saved.dataset} (${saved.source}), iteration ${saved.iteration} of ${saved.iterations}, ${new Date(saved.savedAt).toLocaleString()}.`;
  $('saved').hidden = false;
  button('resume-saved').onclick = guarded('resuming the saved checkpoint', () => resumeSaved(saved));
  button('download-saved').onclick = () => download(RUN_FILES.checkpoint, saved.bytes);
  button('discard-saved').onclick = guarded('discarding the checkpoint', async () => {
    await deleteCheckpoint();
    $('saved').hidden = true;
    state.savedOffer = null;
  });
}

// ---------------------------------------------------------------- results

async function downloadFile(which: string): Promise<void> {
  if (!run) return;
  if (which === 'checkpoint') return download(RUN_FILES.checkpoint, await run.checkpointBytes());
  if (which === 'png') return download(RUN_FILES.overview, gridPng(await overviewGrid(run.hmn, Math.min(10, run.hmn.config.imagesPerClass))), 'image/png');
  const files = await run.files();
  if (which === 'hmn') download(RUN_FILES.hmn, files.hmn);
  else if (which === 'manifest') {
    // A pruned run's manifest carries the accounting, as `hmn prune` writes it.
    const m = JSON.parse(files.manifest);
    const text = pruned ? JSON.stringify({ ...m, prune: pruned, budget: { ...m.budget, budget: preset(run.run.dataset, run.run.ipc).breakdown.budget, total: run.hmn.parameterCount() }, imagesPerClass: run.hmn.config.imagesPerClass }, null, 2) : files.manifest;
    download(RUN_FILES.manifest, text, 'application/json');
  } else if (which === 'loss') download(RUN_FILES.lossCsv, files.lossCsv, 'text/csv');
}

function evalLog(line: string): void {
  $('eval-log').hidden = false;
  $('eval-log').textContent += `${line}\n`;
}

function trainOptions(dataset: string): TrainOptions {
  const int = (id: string) => {
    const n = Number($<HTMLInputElement>(id).value);
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${id} must be a whole number >= 1, got '${$<HTMLInputElement>(id).value}'`);
    return n;
  };
  // SVHN digits are not mirror-symmetric: no flips, as `hmn evaluate` does.
  const augment = DEFAULT_TRAIN.augment.filter((a) => dataset !== 'svhn' || a !== 'flip');
  return { ...DEFAULT_TRAIN, epochs: int('eval-epochs'), width: int('eval-width'), augment };
}

async function evaluate(): Promise<void> {
  const target = run && run.status !== 'running' ? { hmn: run.hmn, dataset: run.run.dataset } : loaded ? { hmn: loaded.hmn, dataset: readSettings().dataset } : null;
  if (!target) throw new Error('nothing to evaluate: run a condensation or load a result first');
  const s = readSettings();
  const choice = { ...dataChoice(s), dataset: target.dataset as Settings['dataset'] };
  if (run && target.hmn === run.hmn && run.run.dataset === 'builtin') choice.perClass = run.data.count / run.data.classes;
  const train = await split(choice, 'train');
  const test = await split(choice, 'test');
  const decoded = await decodeAll(target.hmn);
  const { channels, height, width } = target.hmn.config.image;
  const images = { images: decoded.images, labels: decoded.labels, count: decoded.count, channels, height, width, classes: target.hmn.classes };
  const runs = Number($<HTMLInputElement>('eval-runs').value);
  evalLog(`evaluating ${decoded.count} decoded images on ${test.count} real test images…`);
  const result = await evaluateImages(images, { test: floatImages(test), stats: channelStats(train) }, trainOptions(target.dataset), runs, evalLog);
  state.evaluation = formatSummary(result.test);
  evalLog(`test accuracy ${formatSummary(result.test)} (${result.runs} run${result.runs > 1 ? 's' : ''}, ${result.seconds.toFixed(1)} s)`);
}

async function prune(): Promise<void> {
  if (!run) return;
  const r = run;
  const budget = preset(r.run.dataset, r.run.ipc).breakdown.budget;
  const perClass = Number($<HTMLInputElement>('val-per-class').value);
  const { train, validation } = splitValidation(r.data, { perClass }, 0);
  const opts = trainOptions(r.run.dataset);
  evalLog(`pruning to ${budget} floats (the HMN stores ${r.hmn.parameterCount()})…`);
  const report = await pruneHmn(r.hmn, { validation: floatImages(validation), stats: channelStats(train) }, { budget, betas: DEFAULT_BETAS, aumTrain: opts, selectTrain: opts, selectRuns: 1 }, evalLog);
  pruned = report;
  evalLog(`pruned: beta ${report.beta}; ${report.storedBefore} -> ${report.storedAfter} floats; ${report.imagesPerClassBefore} -> ${report.imagesPerClassAfter} images per class`);
  await showImages(r.hmn, $<HTMLCanvasElement>('images'));
}

async function loadResult(files: FileList | null): Promise<void> {
  const file = files?.[0];
  if (!file) return;
  state.viewer = null;
  const { hmn, classNames } = decodeHmn(new Uint8Array(await file.arrayBuffer()), file.name);
  loaded?.hmn.dispose();
  loaded = { hmn, classNames, file: file.name };
  const c = hmn.config;
  const info = `${file.name}: ${c.classes} classes of ${c.image.channels}x${c.image.height}x${c.image.width}, ${c.imagesPerClass} images per class, ${hmn.parameterCount()} stored floats`;
  $('viewer-info').textContent = `${info}; classes ${classNames.slice(0, 10).join(', ')}${classNames.length > 10 ? ', …' : ''}`;
  $('viewer').hidden = false;
  await showImages(hmn, $<HTMLCanvasElement>('viewer'));
  state.viewer = info; // after drawing: the test reads the canvas once this is set
}

// ---------------------------------------------------------------- start-up

async function main(): Promise<void> {
  buildForm($('settings'));
  refreshButtons();
  button('start').onclick = guarded('the run', startNew);
  button('pause').onclick = () => run?.pause();
  button('resume').onclick = guarded('the run', async () => {
    await run?.start();
  });
  button('stop').onclick = () => {
    run?.stop();
    refreshButtons();
  };
  for (const which of ['hmn', 'manifest', 'checkpoint', 'loss', 'png']) button(`dl-${which}`).onclick = guarded(`downloading ${which}`, () => downloadFile(which));
  button('evaluate').onclick = guarded('evaluation', evaluate);
  button('prune').onclick = guarded('pruning', prune);
  $<HTMLInputElement>('data-files').onchange = guarded('reading the dataset files', () => pickFiles($<HTMLInputElement>('data-files').files));
  $<HTMLInputElement>('data-folder').onchange = guarded('reading the dataset folder', () => pickFiles($<HTMLInputElement>('data-folder').files));
  $<HTMLInputElement>('result-file').onchange = guarded('loading the result', () => loadResult($<HTMLInputElement>('result-file').files));

  try {
    const rt = await startEngine((reason) => {
      showError('GPU', new E.DeviceLostError(reason));
      state.ready = false;
      refreshButtons();
      // The saved checkpoint's bytes can still be downloaded; resuming needs a new device (a reload).
      offerSaved()
        .then(() => (button('resume-saved').disabled = true))
        .catch((e) => showError('reading the checkpoint saved in this browser', e));
    });
    const a = rt.info.adapterInfo;
    $('adapter').textContent = `WebGPU adapter: ${a.description || a.device || '(no description)'} (${a.vendor} ${a.architecture})`;
    state.ready = true;
  } catch (e) {
    if (!(e instanceof NoWebGpuError)) throw e;
    state.noWebGpu = e.message;
    $('no-webgpu').textContent = e.message;
    $('no-webgpu').hidden = false;
    $('adapter').textContent = 'no WebGPU';
  }
  refreshButtons();
  await offerSaved().catch((e) => showError('reading the checkpoint saved in this browser', e));
}

main().catch((e) => showError('starting the page', e));

// For the tests: a lost device on demand (the browser reports it as device.lost, as a real loss would).
window.__hmnLoseDevice = () => E.runtime().device.destroy();
