// npm run bench:queue — what the job queue itself costs and allows, on a real redis-server:
//   1. enqueue-to-start latency of a job given to an idle worker (job.processedOn - job.timestamp, both
//      stamped by Redis-side scripts with the workers' and submitter's clocks, here the same machine);
//   2. the wall time of a grid of short jobs (sleeps, so the machine's 2 cores are not the limit) with
//      1, 2 and 4 `hmn worker` processes: from the first enqueue to the last job's finish.
// Options: --jobs 24 --ms 500 --workers 1,2,4 --samples 30. Prints a table, then one line of JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, type Job } from 'bullmq';
import { connectionOptions, parseQueueUrl, QUEUE_NAME } from '../src/queue/connection.js';
import type { SleepJobData } from '../src/queue/jobs.js';
import { startRedis } from '../test/helpers/redis.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const JOBS = Number(arg('jobs', '24'));
const MS = Number(arg('ms', '500'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const SAMPLES = Number(arg('samples', '30'));

const redis = await startRedis();
const url = parseQueueUrl(redis.url);
const queue = new Queue<SleepJobData>(QUEUE_NAME, { connection: connectionOptions(url) });
const results = mkdtempSync(join(tmpdir(), 'hmn-bench-queue-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `hmn worker` processes and resolves once each says it takes jobs. */
async function startWorkers(n: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new Promise<ChildProcess>((ok, fail) => {
    const p = spawn(process.execPath, [join(REPO, 'bin', 'hmn.mjs'), 'worker', '--queue', redis.url, '--results', results, '--bench-jobs', '--name', `bench${i + 1}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout!.on('data', (d: Buffer) => d.toString().includes('taking jobs') && ok(p));
    p.once('exit', (code) => fail(new Error(`worker exited with ${code} before it was ready`)));
  })));
}

async function stopWorkers(ps: ChildProcess[]): Promise<void> {
  await Promise.all(ps.map((p) => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM')))));
}

async function finished(ids: string[]): Promise<Job<SleepJobData>[]> {
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    if (jobs.every((j) => j?.finishedOn)) return jobs as Job<SleepJobData>[];
    await sleep(20);
  }
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// 1. Latency: one job at a time to one idle worker (it waits blocked on Redis, as an idle worker does).
const one = await startWorkers(1);
await sleep(1000);
const latencies: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const job = await queue.add('sleep', { kind: 'sleep', ms: 0 }, { jobId: `latency-${i}` });
  const [done] = await finished([job.id!]);
  latencies.push(done.processedOn! - done.timestamp);
  await sleep(100);
}
await stopWorkers(one);
await queue.obliterate({ force: true });

// 2. Grids of short jobs.
const grids: { workers: number; jobs: number; jobMs: number; wallSeconds: number; idealSeconds: number; efficiency: number }[] = [];
for (const n of WORKERS) {
  const ps = await startWorkers(n);
  await sleep(1000);
  const added = await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: 'sleep', data: { kind: 'sleep' as const, ms: MS }, opts: { jobId: `grid${n}-${i}` } })));
  const done = await finished(added.map((j) => j.id!));
  const wall = (Math.max(...done.map((j) => j.finishedOn!)) - Math.min(...done.map((j) => j.timestamp))) / 1000;
  const ideal = (JOBS * MS) / 1000 / n;
  grids.push({ workers: n, jobs: JOBS, jobMs: MS, wallSeconds: wall, idealSeconds: ideal, efficiency: ideal / wall });
  await stopWorkers(ps);
  await queue.obliterate({ force: true });
}

await queue.close();
await redis.stop();
rmSync(results, { recursive: true, force: true });

const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`enqueue-to-start latency, idle worker, ${SAMPLES} jobs: median ${ms(quantile(latencies, 0.5))}, p90 ${ms(quantile(latencies, 0.9))}, max ${ms(Math.max(...latencies))}`);
console.log('');
console.log(`| workers | ${JOBS} jobs of ${MS} ms: wall time | ideal (jobs x ms / workers) | efficiency |`);
console.log('|---:|---:|---:|---:|');
for (const g of grids) console.log(`| ${g.workers} | ${g.wallSeconds.toFixed(2)} s | ${g.idealSeconds.toFixed(2)} s | ${(g.efficiency * 100).toFixed(0)} % |`);
console.log('');
console.log(JSON.stringify({ latencyMs: { median: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), max: Math.max(...latencies), samples: latencies }, grids }));
process.exit(0);
