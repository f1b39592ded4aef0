// What the browser page (main.ts) publishes on `window.__hmnTest` for the Node side (browser.test.ts).
import type { Digest } from '../helpers/check.js';

export interface CaseResult {
  family: string;
  name: string;
  ok: boolean;
  error?: string;
  digest?: Digest;
  ms: number;
}

export interface HmnTestState {
  done: boolean;
  /** Set when the run could not start at all (no navigator.gpu, no adapter, a page error). */
  fatal: string | null;
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  userAgent: string;
  families: string[];
  total: number;
  /** The case running now ("family / name"), for progress and for saying where a hang was. */
  current: string | null;
  results: CaseResult[];
  ms: number;
}

declare global {
  interface Window {
    __hmnTest?: HmnTestState;
  }
}
