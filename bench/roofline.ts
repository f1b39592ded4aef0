// The machine's roofline on the current adapter, measured by our own micro-kernels: peak FLOP/s (a long
// chain of independent vec4 FMAs per invocation) and memory bandwidth (a vec4 copy of 64 MiB). Every other
// workload's GFLOP/s and GB/s is reported as a share of these.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '../engine/index.js';
import type { Workload } from './harness.js';

/** Bench-only kernels live in bench/shaders; register them beside the engine's. */
export function registerBenchShaders(): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'shaders');
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.wgsl')) files[f] = readFileSync(join(dir, f), 'utf8');
  E.registerShaderSources(files);
}

const FMA_ITERS = 512;
const FMA_INVOCATIONS = 256 * 1024;

export function peakFlopsWorkload(): Workload<{ out: E.Tensor }> {
  return {
    name: 'roofline: peak FMA',
    group: 'roofline',
    flops: FMA_INVOCATIONS * FMA_ITERS * 8 * 4 * 2,
    setup: () => ({ out: E.keep(E.zeros([FMA_INVOCATIONS])) }),
    step: ({ out }) =>
      E.runtime().dispatcher.run({ shader: 'roofline_fma', defines: { ITERS: FMA_ITERS }, buffers: [out.buffer], floats: [0.5, 0, 0, 0], workgroups: [FMA_INVOCATIONS / 256] }),
    dispose: ({ out }) => out.dispose(),
  };
}

const COPY_FLOATS = 16 * 1024 * 1024; // 64 MiB each way

export function bandwidthWorkload(): Workload<{ src: E.Tensor; dst: E.Tensor }> {
  const vec4s = COPY_FLOATS / 4;
  return {
    name: 'roofline: copy 64 MiB',
    group: 'roofline',
    bytes: 2 * 4 * COPY_FLOATS,
    setup: () => ({ src: E.keep(E.ones([COPY_FLOATS])), dst: E.keep(E.zeros([COPY_FLOATS])) }),
    step: ({ src, dst }) =>
      E.runtime().dispatcher.run({ shader: 'roofline_copy', buffers: [src.buffer, dst.buffer], ints: [vec4s, 0, 0, 0], workgroups: [vec4s / 256] }),
    dispose: ({ src, dst }) => (src.dispose(), dst.dispose()),
  };
}

/**
 * Dispatch overhead: 256 tiny elementwise ops (64 floats each) recorded and synced; the median per op is
 * what every kernel launch costs beyond its work (recording, uniform upload, submission, driver).
 */
export function dispatchOverheadWorkload(): Workload<{ x: E.Tensor }> {
  return {
    name: 'dispatch overhead (256 tiny ops, per op)',
    group: 'roofline',
    stepsPerSample: 256,
    setup: () => ({ x: E.keep(E.ones([64])) }),
    step: ({ x }) => void E.addScalar(x, 1),
    dispose: ({ x }) => x.dispose(),
  };
}

export function rooflineWorkloads(): Workload<any>[] {
  return [peakFlopsWorkload(), bandwidthWorkload(), dispatchOverheadWorkload()];
}
