// The job-queue commands: `hmn experiment --spec S --queue URL` (submit; see experiment.ts),
// `hmn worker --queue URL --results DIR` and `hmn status --queue URL [--spec S]`.
import { resolve } from 'node:path';
import { parseOptions, UsageError, type OptionTable, type ParsedOptions } from './args.js';
import { readSpec } from './experiment.js';
import { cells, type ExperimentSpec } from '../experiment/spec.js';
import { parseQueueUrl, QueueError } from '../queue/connection.js';
import { DEFAULT_RETRY, specFlow, submitSpec } from '../queue/submit.js';
import { DEFAULT_WORKER, defaultWorkerName, HmnWorker } from '../queue/worker.js';
import { formatStatus, queueStatus } from '../queue/status.js';

/** Queue errors (Redis unreachable, results path not writable) are one line and exit code 1. */
async function reportQueueErrors(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof QueueError)) throw e;
    console.error(`hmn: ${e.message}`);
    return 1;
  }
}

/** `hmn experiment --queue`: the spec's jobs onto the queue; how many were new. */
export function submitExperiment(spec: ExperimentSpec, o: ParsedOptions): Promise<number> {
  const url = parseQueueUrl(o.queue as string);
  const attempts = (o.attempts as number | undefined) ?? DEFAULT_RETRY.attempts;
  const backoffSeconds = (o.backoffSeconds as number | undefined) ?? DEFAULT_RETRY.backoffMs / 1000;
  if (attempts < 1) throw new UsageError('experiment: --attempts must be at least 1');
  if (backoffSeconds < 0) throw new UsageError('experiment: --backoff-seconds must not be negative');
  // The workers decide where results go (--results) and every cell of the spec is queued.
  for (const [key, flag] of [['out', '--out'], ['overwrite', '--overwrite'], ['methods', '--methods']] as const) {
    if (o[key] !== undefined && o[key] !== false) throw new UsageError(`experiment: ${flag} does not apply with --queue (workers write to their --results store; every cell of the spec is queued)`);
  }
  if (o.dryRun) {
    const flow = specFlow(spec, { attempts, backoffMs: backoffSeconds * 1000 });
    console.log(`experiment '${spec.name}': would enqueue at ${url.display}:`);
    const walk = (n: { opts?: { jobId?: string }; children?: unknown[] }, depth: number): void => {
      console.log(`${'  '.repeat(depth + 1)}${n.opts!.jobId}`);
      for (const c of n.children ?? []) walk(c as typeof n, depth + 1);
    };
    walk(flow, 0);
    return Promise.resolve(0);
  }
  return reportQueueErrors(async () => {
    const s = await submitSpec(url, spec, { attempts, backoffMs: backoffSeconds * 1000 });
    const n = cells(spec).length;
    console.log(`experiment '${spec.name}' (${s.key}): ${n} cells = ${s.jobs} jobs (${n} condensations, ${n} evaluations, 1 table); ${s.added} new, ${s.jobs - s.added} already in the queue at ${url.display}`);
    console.log(`results: <results store>/${s.key}; follow with: hmn status --queue ${url.display} --spec ${o.spec}`);
    return 0;
  });
}

export const WORKER_OPTIONS: OptionTable = {
  queue: { type: 'string', help: 'the Redis behind the queue: redis://HOST:PORT/DB' },
  results: { type: 'string', help: 'the results store: a folder every worker sees at the same path (shared file system)' },
  concurrency: { type: 'int', default: DEFAULT_WORKER.concurrency, help: 'jobs this worker runs at once (one GPU: 1)' },
  'data-dir': { type: 'string', help: "this machine's folder of real datasets (not for builtin)" },
  'lock-seconds': { type: 'number', default: DEFAULT_WORKER.lockMs / 1000, help: "a job's lock; a dead worker's job is handed on about this long after it died" },
  'stalled-seconds': { type: 'number', default: DEFAULT_WORKER.stalledMs / 1000, help: 'how often to look for jobs whose worker died' },
  'max-stalled': { type: 'int', default: DEFAULT_WORKER.maxStalled, help: 'times a job may lose its worker before it is failed' },
  name: { type: 'string', help: 'what `hmn status` calls this worker (default: HOST:PID)' },
  'bench-jobs': { type: 'boolean', default: false, help: "also run the queue benchmark's 'sleep' jobs" },
};

export async function worker(argv: string[]): Promise<number> {
  const o = parseOptions(argv, WORKER_OPTIONS, 'worker');
  if (!o.queue) throw new UsageError('worker: --queue is required (redis://HOST:PORT/DB)');
  if (!o.results) throw new UsageError('worker: --results is required (the shared results folder)');
  const url = parseQueueUrl(o.queue as string);
  const concurrency = o.concurrency as number;
  if (concurrency < 1) throw new UsageError('worker: --concurrency must be at least 1');
  for (const k of ['lockSeconds', 'stalledSeconds'] as const) if (!((o[k] as number) > 0)) throw new UsageError(`worker: --${k === 'lockSeconds' ? 'lock' : 'stalled'}-seconds must be positive`);
  const log = (m: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`);
  return reportQueueErrors(async () => {
    const w = new HmnWorker({
      url,
      results: resolve(o.results as string),
      concurrency,
      dataDir: o.dataDir as string | undefined,
      lockMs: (o.lockSeconds as number) * 1000,
      stalledMs: (o.stalledSeconds as number) * 1000,
      maxStalled: o.maxStalled as number,
      benchJobs: o.benchJobs as boolean,
      name: (o.name as string | undefined) ?? defaultWorkerName(),
      log,
    });
    await w.start();
    // SIGTERM (systemd stop, Kubernetes pod deletion) and Ctrl-C: finish or checkpoint, then exit; twice: at once.
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
      log(`${sig}: stopping after the current job finishes or checkpoints (${sig} again quits at once)`);
      void w.stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    await w.stopped;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    log(`worker ${w.exitCode === 3 ? 'stopped: its GPU device was lost' : 'stopped'}`);
    return w.exitCode;
  });
}

export const STATUS_OPTIONS: OptionTable = {
  queue: { type: 'string', help: 'the Redis behind the queue: redis://HOST:PORT/DB' },
  spec: { type: 'string', help: "only this spec's experiment (a shipped spec's name or a JSON file), listing its cells not yet submitted too" },
  json: { type: 'boolean', default: false, help: 'print JSON instead of the table' },
};

export async function status(argv: string[]): Promise<number> {
  const o = parseOptions(argv, STATUS_OPTIONS, 'status');
  if (!o.queue) throw new UsageError('status: --queue is required (redis://HOST:PORT/DB)');
  const url = parseQueueUrl(o.queue as string);
  const spec = o.spec ? readSpec(o.spec as string) : undefined;
  return reportQueueErrors(async () => {
    const views = await queueStatus(url, spec);
    console.log(o.json ? JSON.stringify(views, null, 2) : formatStatus(views));
    return 0;
  });
}
