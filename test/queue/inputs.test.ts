// The job queue's inputs and its cheap paths, against a real redis-server: the spec -> flow mapping and
// its ids, bad input refused with a message (unreachable Redis within seconds, naming the URL; a malformed
// URL; a malformed spec before anything is enqueued; a results path that is not writable, at worker
// start), and a failing cell that is retried with back-off, then stays failed with its error while the
// other cell and the table finish.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkSpec } from '../../src/experiment/spec.js';
import { connectionOptions, parseQueueUrl, QUEUE_NAME } from '../../src/queue/connection.js';
import { condenseJobId, evaluateJobId, experimentKey, parseJobId, tableJobId } from '../../src/queue/jobs.js';
import { specFlow, submitSpec } from '../../src/queue/submit.js';
import { HmnWorker } from '../../src/queue/worker.js';
import { queueStatus, formatStatus } from '../../src/queue/status.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';

const root = mkdtempSync(join(tmpdir(), 'hmn-queue-inputs-'));
let redis: RedisServer;

const TOY = {
  name: 'toy-inputs',
  dataset: 'builtin',
  builtinPerClass: 12,
  methods: ['random'],
  ipc: [1],
  seeds: [0],
  evaluation: { runs: 1, epochs: 1, batch: 16, width: 8, validationPerClass: 2 },
};

const specFile = (name: string, spec: unknown) => {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
};

/** Runs `hmn ...` in this process; its exit code, stderr and seconds. */
async function hmn(...argv: string[]): Promise<{ code: number; err: string; seconds: number }> {
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const t = Date.now();
  try {
    const code = await main(argv);
    return { code, err: err.join('\n'), seconds: (Date.now() - t) / 1000 };
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
}

async function queueKeys(url: string): Promise<string[]> {
  const r = new Redis(url);
  try {
    return await r.keys(`bull:${QUEUE_NAME}:*`);
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('spec -> jobs', () => {
  const spec = checkSpec({ ...TOY, methods: ['hmn', 'random'], seeds: [0, 1] });

  it('one condensation and one evaluation per cell under one table job, ids from the spec hash and the cell', () => {
    const flow = specFlow(spec, { attempts: 4, backoffMs: 500 });
    const key = experimentKey(spec);
    expect(key).toMatch(/^toy-inputs-[0-9a-f]{10}$/);
    expect(flow.name).toBe('table');
    expect(flow.opts?.jobId).toBe(tableJobId(key));
    expect(flow.children).toHaveLength(4);
    const cellsSeen = flow.children!.map((e) => {
      expect(e.name).toBe('evaluate');
      expect(e.opts).toMatchObject({ attempts: 4, backoff: { type: 'exponential', delay: 500 }, ignoreDependencyOnFailure: true });
      const c = e.children![0];
      expect(c.name).toBe('condense');
      expect(c.data.cell).toEqual(e.data.cell);
      expect(e.opts!.jobId).toBe(evaluateJobId(key, e.data.cell));
      expect(c.opts!.jobId).toBe(condenseJobId(key, c.data.cell));
      expect(parseJobId(c.opts!.jobId!)).toEqual({ key, kind: 'condense', cell: `${c.data.cell.method}-ipc1-seed${c.data.cell.seed}` });
      return `${c.data.cell.method}/${c.data.cell.seed}`;
    });
    expect(cellsSeen).toEqual(['hmn/0', 'hmn/1', 'random/0', 'random/1']);
    expect(parseJobId(tableJobId(key))).toEqual({ key, kind: 'table', cell: null });
    // The same spec maps to the same ids; any change to it, to others.
    expect(experimentKey(checkSpec({ ...TOY, methods: ['hmn', 'random'], seeds: [0, 1] }))).toBe(key);
    expect(experimentKey(checkSpec({ ...TOY, methods: ['hmn', 'random'], seeds: [0, 1], evaluation: { ...TOY.evaluation, epochs: 2 } }))).not.toBe(key);
  });

  it('parses queue URLs and refuses others naming the problem', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, tls: false, display: 'redis://10.0.0.5:6380/2' });
    expect(parseQueueUrl('rediss://u:secret@redis.example:6379')).toMatchObject({ username: 'u', password: 'secret', db: 0, tls: true, display: 'rediss://u:***@redis.example:6379' });
    expect(() => parseQueueUrl('localhost:6379')).toThrow(/'localhost:6379' is not a Redis URL \(expected redis:\/\/HOST:PORT\/DB/);
    expect(() => parseQueueUrl('redis://host:6379/zero')).toThrow(/the database must be a number, got 'zero'/);
    expect(() => parseQueueUrl('nonsense')).toThrow(/'nonsense' is not a URL/);
  });
});

describe('bad input', () => {
  it('an unreachable Redis: a clear error naming the URL within seconds, from every command', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}/0`;
    const spec = specFile('ok', TOY);
    for (const argv of [['experiment', '--spec', spec, '--queue', url], ['worker', '--queue', url, '--results', join(root, 'r')], ['status', '--queue', url]]) {
      const r = await hmn(...argv);
      expect(r.code, argv[0]).toBe(1);
      expect(r.err, argv[0]).toBe(`hmn: cannot reach Redis at ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect(r.seconds, argv[0]).toBeLessThan(5);
    }
  });

  it('a server that accepts the connection but never answers: refused after the connect timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `redis://127.0.0.1:${(silent.address() as { port: number }).port}/0`;
    try {
      const r = await hmn('status', '--queue', url);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^hmn: cannot reach Redis at ${url.replace(/[/.]/g, '\\$&')}: `));
      expect(r.seconds).toBeLessThan(8);
    } finally {
      silent.close();
    }
  });

  it('a malformed queue URL is a usage error', async () => {
    const r = await hmn('experiment', '--spec', specFile('ok2', TOY), '--queue', 'http://127.0.0.1:6379');
    expect(r.code).toBe(2);
    expect(r.err).toBe("hmn: --queue 'http://127.0.0.1:6379' is not a Redis URL (expected redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0)");
  });

  it('a malformed spec is refused before anything is enqueued', async () => {
    const bad = specFile('bad', { ...TOY, ipc: [1, 0] });
    const r = await hmn('experiment', '--spec', bad, '--queue', redis.url);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hmn: experiment: ${bad}: spec.ipc[1] must be a whole number >= 1, got 0`);
    const typo = specFile('typo', { ...TOY, evaluation: { ...TOY.evaluation, epoch: 3 } });
    const r2 = await hmn('experiment', '--spec', typo, '--queue', redis.url);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/spec\.evaluation: unknown field 'epoch'/);
    expect(await queueKeys(redis.url)).toEqual([]);
  });

  it('a results path that is not writable is refused at worker start', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await hmn('worker', '--queue', redis.url, '--results', join(file, 'results'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^hmn: the results path ${join(file, 'results')} is not writable \\(ENOTDIR`));
  });
});

describe('graceful stop', () => {
  it('stop() (what SIGTERM calls) puts an unfinished job back in the queue, not failed, and the worker stops', async () => {
    const url = parseQueueUrl(redis.url);
    const lines: string[] = [];
    const worker = new HmnWorker({
      url, results: join(root, 'results-stop'), concurrency: 1, lockMs: 10_000, stalledMs: 5_000, maxStalled: 2,
      benchJobs: true, name: 'stopper', log: (m) => void lines.push(m),
    });
    await worker.start();
    const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(url) });
    try {
      await queue.add('sleep', { kind: 'sleep', ms: 20_000 }, { jobId: 'sleep-stop', attempts: 1 });
      const deadline = Date.now() + 20_000;
      while ((await queue.getJob('sleep-stop'))!.processedOn === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const t = Date.now();
      await worker.stop();
      expect(Date.now() - t).toBeLessThan(2000);
      const job = (await queue.getJob('sleep-stop'))!;
      expect(await job.getState()).toBe('waiting');
      expect(job.attemptsMade).toBe(0);
      expect(lines.join('\n')).toContain('sleep-stop: stopped by SIGTERM; back in the queue');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('a failing cell', () => {
  it('is retried with back-off, then stays failed with its error; the other cell and the table finish', async () => {
    // 12 images per class minus 2 for validation leave 10: IPC 11 cannot be drawn.
    const spec = checkSpec({ ...TOY, name: 'toy-fails', ipc: [1, 11] });
    const submitted = await submitSpec(parseQueueUrl(redis.url), spec, { attempts: 2, backoffMs: 300 });
    expect(submitted).toEqual({ key: experimentKey(spec), jobs: 5, added: 5 });
    const results = join(root, 'results');
    const lines: string[] = [];
    const worker = new HmnWorker({
      url: parseQueueUrl(redis.url), results, concurrency: 1, lockMs: 10_000, stalledMs: 5_000, maxStalled: 2,
      benchJobs: false, name: 'inproc', log: (m) => void lines.push(m),
    });
    await worker.start();
    const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(parseQueueUrl(redis.url)) });
    try {
      const key = submitted.key;
      const deadline = Date.now() + 90_000;
      while ((await queue.getJob(tableJobId(key)))?.finishedOn === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const table = (await queue.getJob(tableJobId(key)))!;
      expect(await table.getState()).toBe('completed');

      const bad = { method: 'random' as const, ipc: 11, seed: 0 };
      const condense = (await queue.getJob(condenseJobId(key, bad)))!;
      expect(await condense.getState()).toBe('failed');
      expect(condense.attemptsMade).toBe(2);
      expect(condense.failedReason).toMatch(/class/);
      // The retry waited for its back-off.
      const tries = lines.filter((l) => l.includes(condenseJobId(key, bad)) && l.includes('started'));
      expect(tries).toHaveLength(2);
      const evaluation = (await queue.getJob(evaluateJobId(key, bad)))!;
      expect(await evaluation.getState()).toBe('failed');
      expect(evaluation.failedReason).toBe(`condensation failed: ${condense.failedReason}`);

      const good = { method: 'random' as const, ipc: 1, seed: 0 };
      expect(await (await queue.getJob(evaluateJobId(key, good)))!.getState()).toBe('completed');
      // The condensation's return value names its files (tensors, record, PNGs) with their checksums.
      const condensed = (await queue.getJob(condenseJobId(key, good)))!.returnvalue as { files: { path: string; sha256: string }[] };
      const cellFolder = `${key}/cells/random-ipc1-seed0`;
      expect(condensed.files.map((f) => f.path)).toEqual(expect.arrayContaining([`${cellFolder}/images.safetensors`, `${cellFolder}/condense.json`, `${cellFolder}/images.png`, `${cellFolder}/images/009-two_dots.png`]));
      for (const f of condensed.files) expect(createHash('sha256').update(readFileSync(join(results, f.path))).digest('hex'), f.path).toBe(f.sha256);
      expect([...readFileSync(join(results, cellFolder, 'images.png')).subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
      const md = readFileSync(join(results, key, 'results.md'), 'utf8');
      expect(md).toMatch(/\| Random real \| \d+\.\d ± \d+\.\d \| failed \|/);
      expect(md).toMatch(/Random real, IPC 11, seed 0: condensation failed: .*class/);
      expect(existsSync(join(results, key, 'cells', 'random-ipc11-seed0', 'failed.json'))).toBe(true);

      // The job's return value names its files with their checksums.
      const rv = table.returnvalue as { files: { path: string; sha256: string }[] };
      expect(rv.files.map((f) => f.path).sort()).toEqual([`${key}/accuracy.svg`, `${key}/results.json`, `${key}/results.md`]);

      const status = await queueStatus(parseQueueUrl(redis.url), spec);
      expect(status[0].counts).toMatchObject({ done: 1, failed: 1 });
      expect(formatStatus(status)).toMatch(/random-ipc11-seed0 +failed +condense: FAILED after 2 tries: .*class/);
    } finally {
      await queue.close();
      await worker.stop();
    }
  }, 120_000);
});
