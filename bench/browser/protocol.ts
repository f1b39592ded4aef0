// What the benchmark page (main.ts) publishes on `window.__hmnBench` for the Node side (run.ts).
import type { PeerRow } from '../peers/table.js';

export interface BenchState {
  done: boolean;
  /** Set when the page could not run at all (no navigator.gpu, an import that failed). */
  fatal: string | null;
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  /** Why TF.js is not compared, when it is not (e.g. it failed to load or to start its backend). */
  tfjs: { version?: string; adapterInfo?: unknown; error?: string } | null;
  userAgent: string;
  /** Progress lines (workload names, warm-up times, errors), read and echoed by run.ts. */
  log: string[];
  rows: PeerRow[];
}

declare global {
  interface Window {
    __hmnBench?: BenchState;
  }
}
