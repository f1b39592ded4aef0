// Runs two implementations of one workload alternately (ours, theirs, ours, theirs, ...), so that the load
// of a shared machine falls on both about equally. Browser-safe: no Node imports.

/** One prepared implementation: `sample()` runs the workload's steps and resolves when the GPU is done. */
export interface Runner {
  sample: () => Promise<void>;
  dispose: () => void;
}

export interface Side {
  label: string;
  /** Builds inputs and parameters; may throw (e.g. an op the library cannot differentiate). */
  make: () => Promise<Runner>;
}

export interface SideResult {
  label: string;
  /** Per step (a sample's time divided by its steps). */
  medianMs?: number;
  samplesMs?: number[];
  /** Set instead of the timings when the side could not run. */
  error?: string;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Prepares every side and runs one untimed sample of each (pipeline compilation, buffer pools), then
 * `repeat` rounds of one timed sample per side in turn. A side that fails is reported, not retried.
 */
export async function interleave(sides: Side[], repeat: number, steps: number, log: (s: string) => void = () => {}): Promise<SideResult[]> {
  const live: { runner: Runner | null; result: SideResult }[] = [];
  for (const side of sides) {
    const result: SideResult = { label: side.label };
    let runner: Runner | null = null;
    try {
      runner = await side.make();
      const t0 = performance.now();
      await runner.sample();
      log(`  ${side.label}: warm-up sample ${(performance.now() - t0).toFixed(0)} ms`);
    } catch (e) {
      result.error = message(e);
      log(`  ${side.label}: ${result.error}`);
      runner?.dispose();
      runner = null;
    }
    live.push({ runner, result: runner ? { ...result, samplesMs: [] } : result });
  }
  for (let r = 0; r < repeat; r++) {
    for (const s of live) {
      if (!s.runner) continue;
      const t0 = performance.now();
      await s.runner.sample();
      s.result.samplesMs!.push((performance.now() - t0) / steps);
    }
  }
  for (const s of live) {
    s.runner?.dispose();
    if (s.result.samplesMs?.length) s.result.medianMs = median(s.result.samplesMs);
  }
  return live.map((s) => s.result);
}
