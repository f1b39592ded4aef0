// What travels through the queue: the job kinds, their data, and their ids. A spec becomes one BullMQ flow:
//
//   table                      (writes results.md / results.json / accuracy.svg once every cell is settled)
//   ├── evaluate <cell>        (one per cell: trains networks on the cell's condensed images)
//   │   └── condense <cell>    (one per cell: method x dataset x IPC x seed)
//   └── ...
//
// Every id is derived from the spec and the cell, so submitting the same spec again adds nothing, and a
// changed spec (another hash) never collides with an old one's jobs or folders.
import { createHash } from 'node:crypto';
import { cellId, type Cell, type ExperimentSpec } from '../experiment/spec.js';

export type JobKind = 'condense' | 'evaluate' | 'table' | 'sleep';

export type CellJobData = { kind: 'condense' | 'evaluate'; key: string; spec: ExperimentSpec; cell: Cell };
export type TableJobData = { kind: 'table'; key: string; spec: ExperimentSpec };
/** Benchmark-only: sleeps `ms` (workers run it only with --bench-jobs). */
export type SleepJobData = { kind: 'sleep'; ms: number };
export type JobData = CellJobData | TableJobData | SleepJobData;

/** A finished job's return value: the files it wrote, relative to the results store, with checksums. */
export interface JobResult {
  /** True when the outputs were already there and nothing was computed. */
  skipped: boolean;
  files: { path: string; sha256: string }[];
}

/** A short hash of the whole parsed spec: any change gives new job ids and a new folder. */
export function specHash(spec: ExperimentSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10);
}

/** Names the experiment's folder in the results store and prefixes its job ids: `<spec name>-<hash>`. */
export function experimentKey(spec: ExperimentSpec): string {
  return `${spec.name}-${specHash(spec)}`;
}

// BullMQ job ids may not contain ':' nor be plain integers; cell ids and spec names are [A-Za-z0-9_.-].
export const condenseJobId = (key: string, cell: Cell) => `${key}.condense.${cellId(cell)}`;
export const evaluateJobId = (key: string, cell: Cell) => `${key}.evaluate.${cellId(cell)}`;
export const tableJobId = (key: string) => `${key}.table`;

/** Parses a job id of ours back into its parts (null for anything else, e.g. a benchmark job). */
export function parseJobId(id: string): { key: string; kind: 'condense' | 'evaluate' | 'table'; cell: string | null } | null {
  // Cell ids hold no '.', so the last '.condense.' / '.evaluate.' splits the id.
  const m = /^(.+)\.(condense|evaluate)\.([A-Za-z0-9-]+)$/.exec(id);
  if (m) return { key: m[1], kind: m[2] as 'condense' | 'evaluate', cell: m[3] };
  const t = /^(.+)\.table$/.exec(id);
  return t ? { key: t[1], kind: 'table', cell: null } : null;
}
