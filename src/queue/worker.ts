// A queue worker: one BullMQ Worker that takes hmn jobs and runs the same job functions as the local
// runner (condenseCell, evaluateCell, writeResults from src/experiment), with the results store as the
// experiment folder's parent. What it adds is only what a queue needs:
//   - progress (iteration, loss, ETA, which worker) through job.updateProgress, log lines through job.log;
//   - a condensation killed with its worker is handed to another worker by BullMQ's stalled-job check
//     (the lock is not renewed any more); condenseCell there resumes from the cell's checkpoint;
//   - SIGTERM (stop()) lets the current job finish, or, for a condensation, checkpoint and go back to the
//     queue, before the worker exits;
//   - a job's last failed try writes the cell's failed.json, which the table shows;
//   - a condensed cell's images as PNGs (the local runner writes only the tensors).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join, relative, resolve } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import * as E from '../../engine/index.js';
import { CELL_FILES, CellStopped, cellDir, condenseCell, evaluateCell, isCondensed, isEvaluated, type CellContext, type RealData } from '../experiment/cells.js';
import { claimExperimentDir, EXPERIMENT_FILES, loadRealData, writeResults } from '../experiment/runner.js';
import { cellId, type ExperimentSpec } from '../experiment/spec.js';
import { RUN_FILES } from '../condense/run-files.js';
import { readImageSet } from '../io/image-set.js';
import { writeFileAtomic } from '../node/atomic.js';
import { writeImageSetGrids } from '../node/run-dir.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { checkRedis, connectionOptions, QueueError, QUEUE_NAME, type QueueUrl } from './connection.js';
import type { CellJobData, JobData, JobResult } from './jobs.js';

export interface WorkerConfig {
  url: QueueUrl;
  /** The results store: a folder every worker sees at the same path (a shared file system). */
  results: string;
  concurrency: number;
  /** Where this machine keeps the real datasets (not needed for the built-in one). */
  dataDir?: string;
  /** How long a job's lock lasts without renewal: a dead worker's job is handed on about this much later. */
  lockMs: number;
  /** How often this worker looks for jobs whose lock has lapsed. */
  stalledMs: number;
  /** Lapses a job may have before it is failed (a job that kills every worker that takes it). */
  maxStalled: number;
  /** Accept the benchmark's 'sleep' jobs. */
  benchJobs: boolean;
  /** Shown by `hmn status` for the jobs this worker runs. */
  name: string;
  log: (message: string) => void;
}

export const DEFAULT_WORKER = { concurrency: 1, lockMs: 30_000, stalledMs: 15_000, maxStalled: 2 };

export function defaultWorkerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Refuses a results store this process cannot write, before anything is taken from the queue. */
export function checkResultsDir(dir: string): void {
  const probe = join(dir, `.hmn-write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(probe, 'ok');
    rmSync(probe);
  } catch (e) {
    throw new QueueError(`the results path ${dir} is not writable (${(e as Error).message})`);
  }
}

/** The progress a worker reports for its job (what `hmn status` shows). */
export interface JobProgress {
  worker: string;
  phase: 'condense' | 'evaluate' | 'table' | 'sleep';
  iteration?: number;
  iterations?: number;
  loss?: number;
  etaSeconds?: number | null;
  message?: string;
}

/** A job stopped by SIGTERM before it finished (a benchmark sleep; condensations throw CellStopped). */
class BackToQueue extends Error {}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export class HmnWorker {
  private worker: Worker<JobData, JobResult> | null = null;
  private stopping: Promise<void> | null = null;
  private engineReady: Promise<void> | null = null;
  private data: { key: string; real: Promise<RealData> } | null = null;
  // The lock is renewed by timers: a long synchronous stretch (pipeline compilation, a large dataset's
  // decoding) delays renewal. Measured per job so that --lock-seconds can be set with a margin.
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  /** Set by stop(): condensations checkpoint and go back to the queue. */
  stopRequested = false;
  /** 0, or 3 after the GPU device was lost (a supervisor should restart the worker). */
  exitCode = 0;
  readonly results: string;

  constructor(private readonly cfg: WorkerConfig) {
    this.results = resolve(cfg.results);
  }

  /** Checks the results store and Redis, then starts taking jobs. */
  async start(): Promise<void> {
    checkResultsDir(this.results);
    this.loopDelay.enable();
    const info = await checkRedis(this.cfg.url);
    if (info.appendonly === false) this.cfg.log(`warning: Redis at ${this.cfg.url.display} has persistence off (appendonly no): a Redis restart would lose the queue`);
    let lastError = '';
    let lastErrorAt = 0;
    this.worker = new Worker<JobData, JobResult>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: connectionOptions(this.cfg.url),
      concurrency: this.cfg.concurrency,
      lockDuration: this.cfg.lockMs,
      stalledInterval: this.cfg.stalledMs,
      maxStalledCount: this.cfg.maxStalled,
      name: this.cfg.name,
    });
    // While Redis is down every connection reports errors; BullMQ reconnects by itself. Say so now and then.
    this.worker.on('error', (e) => {
      if (e.message !== lastError || Date.now() - lastErrorAt > 10_000) this.cfg.log(`queue connection: ${e.message} (retrying)`);
      lastError = e.message;
      lastErrorAt = Date.now();
    });
    await this.worker.waitUntilReady();
    this.cfg.log(`worker ${this.cfg.name} taking jobs from ${this.cfg.url.display} (queue '${QUEUE_NAME}', concurrency ${this.cfg.concurrency}); results in ${this.results}`);
  }

  /** Graceful stop: no new jobs; the running ones finish or checkpoint. */
  stop(): Promise<void> {
    this.stopRequested = true;
    this.stopping ??= (this.worker ? this.worker.close() : Promise.resolve()).then(this.markStopped);
    return this.stopping;
  }

  private markStopped: () => void = () => {};
  /** Resolves once the worker has stopped (after stop(), or a lost GPU device). */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  private ensureEngine(): Promise<void> {
    this.engineReady ??= (async () => {
      if (!E.hasRuntime()) await E.initEngine();
      loadTuningFile();
      const a = E.runtime().info.adapterInfo;
      this.cfg.log(`GPU adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unnamed'}`);
    })();
    return this.engineReady;
  }

  /** The real data, loaded once per process and kept while jobs use the same data. */
  private realData(spec: ExperimentSpec, log: (m: string) => void): Promise<RealData> {
    const key = JSON.stringify([spec.dataset, spec.builtinPerClass, spec.evaluation.validationPerClass, this.cfg.dataDir ?? null]);
    if (this.data?.key !== key) {
      const real = loadRealData(spec, this.cfg.dataDir, log);
      // A failed load (missing files) is retried by the job's next try, not cached.
      real.catch(() => {
        if (this.data?.real === real) this.data = null;
      });
      this.data = { key, real };
    }
    return this.data.real;
  }

  private async process(job: Job<JobData, JobResult>, token?: string): Promise<JobResult> {
    const data = job.data;
    const started = Date.now();
    const tag = `[${this.cfg.name}] ${job.id}`;
    const say = (m: string) => {
      this.cfg.log(`${tag}: ${m}`);
      // Redis may be briefly away; the job goes on without its log line.
      job.log(m).catch(() => {});
    };
    const progress = (p: Omit<JobProgress, 'worker'>) => void job.updateProgress({ worker: this.cfg.name, ...p } as JobProgress).catch(() => {});
    const retry = job.attemptsMade ? `, retry ${job.attemptsMade} of ${(job.opts.attempts ?? 1) - 1}` : '';
    const lost = job.stalledCounter ? `, after losing its worker ${job.stalledCounter}x` : '';
    say(`started on ${this.cfg.name}${retry}${lost}`);
    progress({ phase: data.kind });
    this.loopDelay.reset();
    try {
      const result = await this.run(job, say, progress);
      const blocked = this.loopDelay.max / 1e9;
      this.cfg.log(`${tag}: completed (${result.skipped ? 'already done, skipped' : 'computed'}) in ${((Date.now() - started) / 1000).toFixed(1)} s; longest event-loop block ${blocked.toFixed(2)} s`);
      if (blocked * 1000 > this.cfg.lockMs / 2) this.cfg.log(`warning: the event loop was blocked for ${blocked.toFixed(1)} s, over half of --lock-seconds (${this.cfg.lockMs / 1000}): raise --lock-seconds, or jobs may be handed on while still running`);
      return result;
    } catch (e) {
      if (e instanceof CellStopped || e instanceof BackToQueue) {
        // SIGTERM: the checkpoint is saved; hand the job back to the queue for another worker.
        say(e instanceof CellStopped ? 'stopped by SIGTERM after a checkpoint; back in the queue' : 'stopped by SIGTERM; back in the queue');
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const error = e instanceof Error ? e.message : String(e);
      const last = e instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      say(`failed: ${error}${last ? ' (no tries left)' : ' (will be retried)'}`);
      if (last && 'cell' in data) {
        const dir = join(this.results, data.key);
        writeFileAtomic(join(cellDir({ dir }, data.cell), EXPERIMENT_FILES.failed), JSON.stringify({ cell: data.cell, error, job: job.id, stack: (e as Error).stack ?? null }, null, 2));
      }
      if (e instanceof E.DeviceLostError) {
        // This machine's GPU is gone: stop taking jobs; the job is retried elsewhere after its back-off.
        this.exitCode = 3;
        say('the GPU device was lost; this worker stops');
        setImmediate(() => void this.stop());
      }
      throw e;
    }
  }

  private async run(job: Job<JobData, JobResult>, say: (m: string) => void, progress: (p: Omit<JobProgress, 'worker'>) => void): Promise<JobResult> {
    const data = job.data;
    if (data.kind === 'sleep') {
      if (!this.cfg.benchJobs) throw new UnrecoverableError("a benchmark 'sleep' job, and this worker was started without --bench-jobs");
      // In slices, so that SIGTERM hands an unfinished sleep back like a condensation.
      const until = Date.now() + data.ms;
      for (let left = data.ms; left > 0; left = until - Date.now()) {
        if (this.stopRequested) throw new BackToQueue();
        await new Promise((r) => setTimeout(r, Math.min(left, 50)));
      }
      return { skipped: false, files: [] };
    }
    const dir = join(this.results, data.key);
    try {
      claimExperimentDir(data.spec, dir);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const files = (paths: string[]) => paths.filter((p) => existsSync(p)).map((p) => ({ path: relative(this.results, p), sha256: sha256(p) }));
    if (data.kind === 'table') {
      writeResults(data.spec, dir);
      return { skipped: false, files: files([EXPERIMENT_FILES.table, EXPERIMENT_FILES.json, EXPERIMENT_FILES.plot].map((f) => join(dir, f))) };
    }
    const cell = data.cell;
    const folder = cellDir({ dir }, cell);
    if (data.kind === 'evaluate') {
      // The condensation failed for good (its error is recorded): so does this cell's evaluation.
      const failures = Object.values(await job.getIgnoredChildrenFailures());
      if (failures.length) throw new UnrecoverableError(`condensation failed: ${failures[0]}`);
    }
    const skipped = data.kind === 'condense' ? isCondensed({ dir }, cell) : isEvaluated({ dir }, cell);
    const ctx = skipped ? null : await this.cellContext(data, dir, say, progress);
    if (data.kind === 'condense') {
      if (ctx) {
        rmSync(join(folder, EXPERIMENT_FILES.failed), { force: true });
        await condenseCell(ctx, cell);
      }
      // The condensed images as PNGs beside the tensors (images.png: ten per class, one row per class;
      // images/<class>.png), written once, from images.safetensors, as `hmn condense` writes a run's.
      if (!existsSync(join(folder, RUN_FILES.overview))) {
        const set = readImageSet(new Uint8Array(readFileSync(join(folder, CELL_FILES.images))), join(folder, CELL_FILES.images));
        await writeImageSetGrids(folder, set.images, set.classNames);
      }
      const pngs = readdirSync(join(folder, RUN_FILES.perClass)).filter((f) => f.endsWith('.png')).sort().map((f) => join(folder, RUN_FILES.perClass, f));
      return { skipped, files: files([...[CELL_FILES.images, CELL_FILES.hmn, CELL_FILES.condensed, CELL_FILES.checkpoint, RUN_FILES.overview].map((f) => join(folder, f)), ...pngs]) };
    }
    if (ctx) {
      const ev = await evaluateCell(ctx, cell);
      say(`test accuracy ${(ev.test.mean * 100).toFixed(2)} ± ${(ev.test.std * 100).toFixed(2)} % (${ev.runs} runs)`);
    }
    return { skipped, files: files([join(folder, CELL_FILES.evaluation)]) };
  }

  private async cellContext(data: CellJobData, dir: string, say: (m: string) => void, progress: (p: Omit<JobProgress, 'worker'>) => void): Promise<CellContext> {
    const real = await this.realData(data.spec, say);
    await this.ensureEngine();
    // ETA from this try's own pace (a resumed job starts mid-way).
    let first: { iteration: number; at: number } | null = null;
    return {
      spec: data.spec,
      real,
      dir,
      log: data.kind === 'evaluate' ? (m) => (say(m), progress({ phase: 'evaluate', message: m.replace(`${cellId(data.cell)}: `, '').trim() })) : say,
      shouldStop: () => this.stopRequested,
      progress: ({ iteration, iterations, loss }) => {
        const now = Date.now();
        first ??= { iteration, at: now };
        const perIteration = iteration > first.iteration ? (now - first.at) / 1000 / (iteration - first.iteration) : null;
        progress({ phase: 'condense', iteration, iterations, loss, etaSeconds: perIteration === null ? null : perIteration * (iterations - iteration) });
      },
    };
  }
}
