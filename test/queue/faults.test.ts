// The job queue under faults, end to end with real processes: a real redis-server (AOF on), a 6-cell grid
// (3 HMN condensations of 10 iterations, 3 random-real cells, toy sizes) over 3 `hmn worker` processes.
// In the middle of the HMN condensations one worker is killed with SIGKILL and another is stopped with
// SIGTERM; a fourth worker joins. Then Redis itself is killed with SIGKILL and restarted on its AOF, and
// the spec is submitted again. Checked: every job completes and computes exactly once; the killed cell is
// handed to another worker by BullMQ's stalled-job check and resumes from its checkpoint; the SIGTERM'd
// worker checkpoints, puts its job back and exits 0; both cells' HMNs equal uninterrupted runs' bit for bit;
// no finished job is lost with Redis; the second submission adds nothing; every returned checksum matches
// its file; the table holds every cell.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellDir, CELL_FILES } from '../../src/experiment/cells.js';
import { loadRealData, runExperiment } from '../../src/experiment/runner.js';
import { cellId, cells, checkSpec, type Cell } from '../../src/experiment/spec.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { connectionOptions, parseQueueUrl, QUEUE_NAME } from '../../src/queue/connection.js';
import { condenseJobId, evaluateJobId, experimentKey, parseJobId, tableJobId, type JobResult } from '../../src/queue/jobs.js';
import { submitSpec } from '../../src/queue/submit.js';
import { formatStatus, queueStatus } from '../../src/queue/status.js';
import type { JobProgress } from '../../src/queue/worker.js';
import { setupEngine } from '../helpers/node.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

setupEngine();
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = mkdtempSync(join(tmpdir(), 'hmn-queue-faults-'));
const ITERATIONS = 10;

const GRID = checkSpec({
  name: 'grid',
  dataset: 'builtin',
  builtinPerClass: 12,
  methods: ['hmn', 'random'],
  ipc: [1],
  seeds: [0, 1, 2],
  hmn: { iterations: ITERATIONS, innerSteps: 1, realBatch: 4, synBatch: 4, netWidth: 8, checkpointEvery: 2 },
  evaluation: { runs: 1, epochs: 1, batch: 16, width: 8, validationPerClass: 2 },
});

interface WorkerProc {
  name: string;
  proc: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

const workers: WorkerProc[] = [];
let redis: RedisServer;
let queue: Queue;

function startWorker(name: string, results: string): WorkerProc {
  const proc = spawn(process.execPath, [
    join(REPO, 'bin', 'hmn.mjs'), 'worker', '--queue', redis.url, '--results', results, '--name', name,
    // A dead worker's job is handed on within about lock + 2 x stalled seconds. The lock must outlast the
    // longest event-loop block (up to 6 s measured here: the first iteration compiles GPU pipelines).
    '--lock-seconds', '20', '--stalled-seconds', '2', '--max-stalled', '3',
  ], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  proc.stderr!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic')).map((l) => `stderr: ${l}`)));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const w = { name, proc, lines, exit };
  workers.push(w);
  return w;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${workers.map((w) => `--- ${w.name}\n${w.lines.slice(-15).join('\n')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const key = experimentKey(GRID);
const allIds = [tableJobId(key), ...cells(GRID).flatMap((c) => [condenseJobId(key, c), evaluateJobId(key, c)])];
const progressOf = (j: Job) => (typeof j.progress === 'object' ? (j.progress as Partial<JobProgress>) : {});

/** Active HMN condensations with their progress. */
async function activeHmn(): Promise<{ job: Job; cell: string; p: Partial<JobProgress> }[]> {
  const active = await queue.getJobs(['active']);
  return active.flatMap((job) => {
    const parsed = job?.id ? parseJobId(job.id) : null;
    return parsed?.kind === 'condense' && parsed.cell!.startsWith('hmn-') ? [{ job, cell: parsed.cell!, p: progressOf(job) }] : [];
  });
}

beforeAll(async () => {
  redis = await startRedis();
  queue = new Queue(QUEUE_NAME, { connection: connectionOptions(parseQueueUrl(redis.url)) });
  // While Redis is down on purpose, its connection reports errors; it reconnects by itself.
  queue.on('error', () => {});
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  await queue?.close();
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('queue workers under faults', () => {
  it('a 6-cell grid over 3 workers survives SIGKILL, SIGTERM and a Redis restart; every cell once; resumed cells equal uninterrupted runs', async () => {
    const url = parseQueueUrl(redis.url);
    const results = join(root, 'results');
    expect(await submitSpec(url, GRID, { attempts: 3, backoffMs: 1000 })).toEqual({ key, jobs: 13, added: 13 });
    for (const n of ['w1', 'w2', 'w3']) startWorker(n, results);

    // SIGKILL a worker mid-condensation, once its cell has a checkpoint (one is written every 2 iterations).
    const killed = await waitFor('an HMN condensation past its first checkpoint', async () => (await activeHmn()).find((a) => (a.p.iteration ?? 0) >= 2 && a.p.iteration! <= ITERATIONS - 3), 180_000);
    const killedWorker = workers.find((w) => w.name === killed.p.worker)!;
    // What `hmn status` shows for it: the worker, the iteration, the loss and an ETA.
    expect(formatStatus(await queueStatus(url, GRID))).toMatch(new RegExp(`${killed.cell} +running +condense: running on ${killedWorker.name}, iteration \\d+/${ITERATIONS}, loss \\S+, ETA (\\d|\\?)`));
    killedWorker.proc.kill('SIGKILL');
    const killedId = killed.job.id!;

    // SIGTERM another worker mid-condensation: it checkpoints, puts the job back and exits 0.
    const termed = await waitFor('a second running HMN condensation', async () => (await activeHmn()).find((a) => a.job.id !== killedId && a.p.worker !== killedWorker.name && (a.p.iteration ?? 0) >= 1 && a.p.iteration! <= ITERATIONS - 2), 60_000);
    const termedWorker = workers.find((w) => w.name === termed.p.worker)!;
    termedWorker.proc.kill('SIGTERM');
    const termedId = termed.job.id!;
    startWorker('w4', results);
    expect(await termedWorker.exit).toBe(0);
    expect(termedWorker.lines.join('\n')).toContain(`${termedId}: stopped by SIGTERM after a checkpoint; back in the queue`);

    // The killed worker's job: handed to another worker by the stalled-job check.
    await waitFor('the killed job to run elsewhere', async () => {
      const j = await queue.getJob(killedId);
      return j && ((await j.getState()) === 'completed' || ((await j.getState()) === 'active' && progressOf(j).worker !== killedWorker.name));
    }, 120_000);

    // Kill Redis (SIGKILL: only the AOF survives) once some jobs have finished, and restart it.
    const finished = await waitFor('3 finished jobs', async () => {
      const done = (await queue.getJobs(['completed'])).filter((j) => allIds.includes(j.id!));
      return done.length >= 3 && done;
    }, 120_000);
    const before = new Map(finished.map((j) => [j.id!, JSON.stringify(j.returnvalue)]));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    for (const [id, rv] of before) {
      const j = await queue.getJob(id);
      expect(await j!.getState(), id).toBe('completed');
      expect(JSON.stringify(j!.returnvalue), id).toBe(rv);
    }
    // Submitting the same spec again enqueues nothing.
    expect(await submitSpec(url, GRID)).toEqual({ key, jobs: 13, added: 0 });

    const table = await waitFor('the table job', async () => {
      const j = await queue.getJob(tableJobId(key));
      return j && (await j.getState()) === 'completed' && j;
    }, 300_000);

    // Every job completed, and each computed exactly once over all workers (a job re-run after a lost
    // completion would find its outputs and say "already done").
    const logs = workers.flatMap((w) => w.lines);
    for (const id of allIds) {
      const j = (await queue.getJob(id))!;
      expect(await j.getState(), id).toBe('completed');
      expect(logs.filter((l) => l.includes(`${id}: completed (computed)`)).length, id).toBe(1);
      for (const f of (j.returnvalue as JobResult).files) expect(createHash('sha256').update(readFileSync(join(results, f.path))).digest('hex'), f.path).toBe(f.sha256);
    }
    expect(killedWorker.lines.some((l) => l.includes(`${killedId}: completed`))).toBe(false);

    // Both interrupted cells resumed from a checkpoint on another worker...
    const resumedAt = (id: string, cell: string, not: string) => {
      const line = workers.filter((w) => w.name !== not).flatMap((w) => w.lines).find((l) => l.includes(`${id}: ${cell}: resuming the condensation at iteration`));
      return line ? Number(/at iteration (\d+)/.exec(line)![1]) : -1;
    };
    expect(resumedAt(killedId, killed.cell, killedWorker.name)).toBeGreaterThanOrEqual(2);
    expect(resumedAt(termedId, termed.cell, termedWorker.name)).toBeGreaterThanOrEqual(1);

    // ...to exactly the HMN of an uninterrupted run with the same seed.
    const refDir = join(root, 'reference');
    const real = await loadRealData(GRID, undefined);
    const interrupted = [killed.cell, termed.cell];
    const ref = await runExperiment({ spec: GRID, real, dir: refDir, log: () => {} }, (c: Cell) => interrupted.includes(cellId(c)));
    expect(ref.ran).toBe(2);
    for (const cell of cells(GRID).filter((c) => interrupted.includes(cellId(c)))) {
      const a = readSafetensors(new Uint8Array(readFileSync(join(cellDir({ dir: join(results, key) }, cell), CELL_FILES.hmn)))).tensors;
      const b = readSafetensors(new Uint8Array(readFileSync(join(cellDir({ dir: refDir }, cell), CELL_FILES.hmn)))).tensors;
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) expect(Array.from(a[k].data), `${cellId(cell)} ${k}`).toEqual(Array.from(b[k].data));
    }

    const md = readFileSync(join(results, key, 'results.md'), 'utf8');
    expect(md).toMatch(/\| HMN \| \d+\.\d ± \d+\.\d \|\n/);
    expect(md).toMatch(/\| Random real \| \d+\.\d ± \d+\.\d \|\n/);
    expect((table.returnvalue as JobResult).files).toHaveLength(3);

    // For the record: where the interrupted cells resumed, and the longest event-loop block per job
    // (what --lock-seconds must exceed).
    const blocks = logs.flatMap((l) => /longest event-loop block ([\d.]+) s/.exec(l)?.[1] ?? []).map(Number);
    console.log(`killed ${killedId} at iteration ${killed.p.iteration} (resumed at ${resumedAt(killedId, killed.cell, killedWorker.name)}); SIGTERM'd ${termedId} at ${termed.p.iteration} (resumed at ${resumedAt(termedId, termed.cell, termedWorker.name)}); longest event-loop block ${Math.max(...blocks).toFixed(2)} s`);

    // The remaining workers stop on SIGTERM when idle, exit code 0.
    for (const w of workers.filter((x) => x.proc.exitCode === null && x.proc.signalCode === null)) {
      w.proc.kill('SIGTERM');
      expect(await w.exit, w.name).toBe(0);
    }
  }, 600_000);
});
