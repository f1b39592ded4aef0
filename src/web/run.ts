// A condensation run in the page: the CLI's loop (Condenser.step per outer iteration) with pause, resume and
// stop between iterations, a checkpoint to IndexedDB every few iterations and on pause / stop / the end,
// and the same files as `hmn condense` writes (from src/condense/run-files.ts).
import * as E from '../../engine/index.js';
import { encodeCheckpoint, encodeHmn, type RunDescription } from '../condense/checkpoint.js';
import { Condenser, type CondenserProgress } from '../condense/condenser.js';
import { lossCsv, lossJson, runManifest } from '../condense/run-files.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Hmn } from '../hmn/model.js';
import type { Preset } from '../hmn/presets.js';
import { saveCheckpoint } from './store.js';

export type RunStatus = 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'done' | 'failed';

/** Fixed networks and batches on which progress is measured after every iteration (see Condenser.evaluate). */
const TRACK_NETS = [101, 102];

export interface RunHooks {
  onIteration(r: RunController): Promise<void> | void;
  onStatus(r: RunController): void;
  onCheckpoint(r: RunController): void;
}

export class RunController {
  status: RunStatus = 'paused';
  readonly condenser: Condenser;
  /** The matching distance on fixed networks: [iteration, value], starting with the state before any step. */
  readonly tracked: [number, number][] = [];
  /** Seconds inside Condenser.step() and checkpoint writes (what the CLI's loop times), and iterations run. */
  seconds = 0;
  stepSeconds = 0;
  iterationsRun = 0;
  checkpointIteration = -1;
  error: unknown = null;
  private loop: Promise<void> | null = null;

  constructor(
    readonly hmn: Hmn,
    readonly data: ImageDataset,
    readonly run: RunDescription,
    readonly preset: Preset,
    readonly source: string,
    readonly options: { checkpointEvery: number; track: boolean },
    readonly hooks: RunHooks,
    progress?: CondenserProgress,
  ) {
    this.condenser = new Condenser(hmn, data, run.hyper as never, run.seed);
    if (progress) {
      this.condenser.restore(progress);
      this.checkpointIteration = progress.iteration;
    }
  }

  get iteration(): number {
    return this.condenser.iteration;
  }

  get iterations(): number {
    return this.condenser.hyper.iterations;
  }

  /** Iterations per second of the condensation steps alone (no drawing, tracking or checkpoints). */
  get iterationsPerSecond(): number | null {
    return this.iterationsRun > 0 ? this.iterationsRun / this.stepSeconds : null;
  }

  private setStatus(s: RunStatus): void {
    this.status = s;
    this.hooks.onStatus(this);
  }

  /** Start or continue; resolves when the loop ends (finished, paused, stopped or failed). */
  start(): Promise<void> {
    if (this.loop) return this.loop;
    this.setStatus('running');
    this.loop = this.runLoop().finally(() => (this.loop = null));
    return this.loop;
  }

  /** Pause after the current iteration (with a checkpoint). */
  pause(): void {
    if (this.status === 'running') this.setStatus('pausing');
  }

  /** End the run after the current iteration (with a checkpoint); the result stays downloadable. */
  stop(): void {
    if (this.status === 'running' || this.status === 'pausing') this.setStatus('stopping');
    else if (this.status === 'paused') this.setStatus('stopped');
  }

  private async runLoop(): Promise<void> {
    try {
      if (this.options.track && this.tracked.length === 0) this.tracked.push([this.iteration, await this.condenser.evaluate(TRACK_NETS)]);
      while (this.iteration < this.iterations && this.status === 'running') {
        const t0 = performance.now();
        await this.condenser.step();
        const t1 = performance.now();
        this.stepSeconds += (t1 - t0) / 1000;
        this.iterationsRun++;
        const last = this.iteration === this.iterations;
        const due = this.iteration % this.options.checkpointEvery === 0 || last || this.status !== 'running';
        if (due) await this.checkpoint();
        this.seconds += (performance.now() - t0) / 1000;
        if (this.options.track) this.tracked.push([this.iteration, await this.condenser.evaluate(TRACK_NETS)]);
        await this.hooks.onIteration(this);
      }
      if (this.checkpointIteration !== this.iteration) await this.checkpoint();
      this.setStatus(this.iteration >= this.iterations ? 'done' : this.status === 'stopping' || this.status === 'stopped' ? 'stopped' : 'paused');
    } catch (e) {
      this.error = e;
      this.setStatus('failed');
      throw e;
    }
  }

  /** checkpoint.safetensors into IndexedDB (the CLI's bytes; a download of it resumes with --resume). */
  async checkpoint(): Promise<void> {
    const bytes = await this.checkpointBytes();
    await saveCheckpoint({ bytes, iteration: this.iteration, iterations: this.iterations, dataset: this.run.dataset, source: this.source, savedAt: Date.now() });
    this.checkpointIteration = this.iteration;
    this.hooks.onCheckpoint(this);
  }

  async checkpointBytes(): Promise<Uint8Array> {
    return encodeCheckpoint(this.hmn, await this.condenser.progress(), this.run, this.data.classNames);
  }

  /** The run's files, as `hmn condense` writes them. */
  async files(): Promise<{ hmn: Uint8Array; manifest: string; lossJson: string; lossCsv: string }> {
    const rt = E.runtime();
    const manifest = runManifest({
      run: this.run,
      preset: this.preset,
      hmn: this.hmn,
      classNames: this.data.classNames,
      iterationsDone: this.iteration,
      seconds: this.seconds,
      iterationsRun: this.iterationsRun,
      peakPoolBytes: E.memory().peakBytes,
      adapter: rt.info.adapterInfo,
      platform: { userAgent: navigator.userAgent },
    });
    return {
      hmn: await encodeHmn(this.hmn, this.data.classNames),
      manifest: JSON.stringify(manifest, null, 2),
      lossJson: lossJson(this.condenser.lossCurve),
      lossCsv: lossCsv(this.condenser.lossCurve),
    };
  }

  dispose(): void {
    this.condenser.dispose();
  }
}
