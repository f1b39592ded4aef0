// What a benchmark workload is, and how one step of it runs. Browser-safe and free of npm imports: the
// browser bench page uses it too, and a late-discovered dependency would make Vite reload the page.
import * as E from '../engine/index.js';

interface WorkloadBase<Ctx> {
  name: string;
  group: string;
  /** Floating-point operations of one step (for GFLOP/s), when meaningful. */
  flops?: number;
  /** Bytes moved by one step (for GB/s), when meaningful. */
  bytes?: number;
  /** Steps recorded before each sync, so per-submit overhead is amortised for small kernels. */
  stepsPerSample?: number;
  setup: () => Ctx;
  dispose: (ctx: Ctx) => void;
}

/**
 * A workload's step is either recorded synchronously (`step`; the harness syncs the GPU after each sample)
 * or asynchronous (`run`, which finishes its own GPU work, e.g. reads a loss back).
 */
export type Workload<Ctx = unknown> = WorkloadBase<Ctx> &
  ({ step: (ctx: Ctx) => void; run?: undefined } | { run: (ctx: Ctx) => Promise<void>; step?: undefined });

/** One step of a workload, either kind (bench/peers runs ours through this too). */
export async function stepOnce<Ctx>(w: Workload<Ctx>, ctx: Ctx): Promise<void> {
  if (w.run) await w.run(ctx);
  else E.tidy(() => w.step(ctx));
}

