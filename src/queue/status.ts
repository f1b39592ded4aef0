// `hmn status`: the grid as the queue sees it. Every job of ours is found by state, grouped by experiment
// and cell; a running job shows the progress its worker reports (worker, iteration, loss, ETA), a failed
// one its error.
import { Queue, type Job } from 'bullmq';
import { cellId, cells, type ExperimentSpec } from '../experiment/spec.js';
import { checkRedis, connectionOptions, QUEUE_NAME, type QueueUrl } from './connection.js';
import { experimentKey, parseJobId, type JobResult } from './jobs.js';
import type { JobProgress } from './worker.js';

const STATES = ['active', 'waiting', 'waiting-children', 'prioritized', 'delayed', 'completed', 'failed'] as const;
type QueueState = (typeof STATES)[number];

export interface JobView {
  id: string;
  state: QueueState;
  progress: Partial<JobProgress> | null;
  error: string | null;
  tries: number;
  /** Seconds from enqueueing to the first start, and of the run that finished. */
  waitedSeconds: number | null;
  ranSeconds: number | null;
  skipped: boolean | null;
}

export interface CellView {
  cell: string;
  /** done: evaluated; failed: either step failed for good; running: a step is active; else waiting. */
  state: 'done' | 'running' | 'waiting' | 'failed' | 'not submitted';
  condense: JobView | null;
  evaluate: JobView | null;
}

export interface ExperimentView {
  key: string;
  cells: CellView[];
  table: JobView | null;
  counts: Record<CellView['state'], number>;
}

function view(job: Job, state: QueueState): JobView {
  const result = job.returnvalue as JobResult | null;
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as Partial<JobProgress>) : null;
  return {
    id: job.id!,
    state,
    progress,
    error: state === 'failed' || job.failedReason ? job.failedReason ?? null : null,
    tries: job.attemptsMade,
    waitedSeconds: job.processedOn ? (job.processedOn - job.timestamp) / 1000 : null,
    ranSeconds: job.finishedOn && job.processedOn ? (job.finishedOn - job.processedOn) / 1000 : null,
    skipped: result && typeof result === 'object' ? result.skipped : null,
  };
}

function cellState(c: JobView | null, e: JobView | null): CellView['state'] {
  if (!c && !e) return 'not submitted';
  if (e?.state === 'completed') return 'done';
  if (c?.state === 'failed' || e?.state === 'failed') return 'failed';
  if (c?.state === 'active' || e?.state === 'active') return 'running';
  return 'waiting';
}

/** Every experiment in the queue (or only `spec`'s, listing its cells that are not there too). */
export async function queueStatus(url: QueueUrl, spec?: ExperimentSpec): Promise<ExperimentView[]> {
  await checkRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(url) });
  try {
    const byKey = new Map<string, { cells: Map<string, { condense: JobView | null; evaluate: JobView | null }>; table: JobView | null }>();
    const entry = (key: string) => {
      let e = byKey.get(key);
      if (!e) byKey.set(key, (e = { cells: new Map(), table: null }));
      return e;
    };
    const wanted = spec ? experimentKey(spec) : null;
    if (spec) for (const c of cells(spec)) entry(wanted!).cells.set(cellId(c), { condense: null, evaluate: null });
    for (const state of STATES) {
      for (const job of await queue.getJobs([state], 0, -1)) {
        if (!job?.id) continue;
        const parsed = parseJobId(job.id);
        if (!parsed || (wanted && parsed.key !== wanted)) continue;
        const e = entry(parsed.key);
        if (parsed.kind === 'table') e.table = view(job, state);
        else {
          const c = e.cells.get(parsed.cell!) ?? { condense: null, evaluate: null };
          c[parsed.kind] = view(job, state);
          e.cells.set(parsed.cell!, c);
        }
      }
    }
    return [...byKey.entries()].map(([key, e]) => {
      const list: CellView[] = [...e.cells.entries()].sort(([a], [b]) => (wanted ? 0 : a.localeCompare(b))).map(([cell, c]) => ({ cell, state: cellState(c.condense, c.evaluate), ...c }));
      const counts = { done: 0, running: 0, waiting: 0, failed: 0, 'not submitted': 0 };
      for (const c of list) counts[c.state]++;
      return { key, cells: list, table: e.table, counts };
    });
  } finally {
    await queue.close();
  }
}

const duration = (s: number) => (s < 90 ? `${s.toFixed(0)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

function describe(j: JobView | null, waitsFor = 'its condensation'): string {
  if (!j) return '—';
  const p = j.progress;
  switch (j.state) {
    case 'completed':
      return `done${j.skipped ? ' (was already on disk)' : ''}${j.ranSeconds !== null ? ` in ${duration(j.ranSeconds)}` : ''}`;
    case 'failed':
      return `FAILED after ${j.tries} tr${j.tries === 1 ? 'y' : 'ies'}: ${j.error}`;
    case 'active': {
      const parts = [`running on ${p?.worker ?? '?'}`];
      if (p?.iteration !== undefined) parts.push(`iteration ${p.iteration}/${p.iterations}`, `loss ${p.loss?.toPrecision(4)}`, `ETA ${p.etaSeconds == null ? '?' : duration(p.etaSeconds)}`);
      else if (p?.message) parts.push(p.message);
      return parts.join(', ');
    }
    case 'waiting-children':
      return `waiting for ${waitsFor}`;
    case 'delayed':
      return `retrying after a back-off${j.error ? ` (last error: ${j.error})` : ''}`;
    default:
      return j.tries ? `waiting (retry ${j.tries}${j.error ? `; last error: ${j.error}` : ''})` : 'waiting';
  }
}

export function formatStatus(views: ExperimentView[]): string {
  if (!views.length) return 'the queue holds no hmn experiment';
  const out: string[] = [];
  for (const v of views) {
    const c = v.counts;
    out.push(`experiment ${v.key}: ${v.cells.length} cells: ${c.done} done, ${c.running} running, ${c.waiting} waiting, ${c.failed} failed${c['not submitted'] ? `, ${c['not submitted']} not submitted` : ''}; table: ${describe(v.table, 'its cells')}`);
    const w = Math.max(4, ...v.cells.map((x) => x.cell.length));
    out.push(`  ${'cell'.padEnd(w)}  ${'state'.padEnd(13)}  condensation / evaluation`);
    for (const x of v.cells) {
      out.push(`  ${x.cell.padEnd(w)}  ${x.state.padEnd(13)}  condense: ${describe(x.condense)}`);
      out.push(`  ${''.padEnd(w)}  ${''.padEnd(13)}  evaluate: ${describe(x.evaluate)}`);
    }
    out.push('');
  }
  return out.join('\n');
}
