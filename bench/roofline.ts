// The machine's roofline on the current adapter, measured by our own micro-kernels: peak FLOP/s (the best
// of several counts of independent vec4 multiply-add chains per invocation) and memory bandwidth (a vec4 copy of 64 MiB). Every other
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

const FMA_INVOCATIONS = 256 * 1024;
const FMA_CHAINS = [1, 2, 4, 8];

/** `chains` independent vec4 multiply-add chains per invocation, FLOPs held constant across chain counts. */
export function peakFlopsWorkload(chains: number): Workload<{ out: E.Tensor }> {
  const iters = 4096 / chains;
  const names = Array.from({ length: chains }, (_, k) => `a${k}`);
  const defines = {
    ITERS: iters,
    DECLARE: names.map((a, k) => `var ${a} = vec4f(s + ${k}.0 * 0.1);`).join(' '),
    UPDATE: names.map((a) => `${a} = ${a} * m + c;`).join(' '),
    TOTAL: names.join(' + '),
  };
  return {
    name: `roofline: peak multiply-add (${chains} vec4 chain${chains > 1 ? 's' : ''})`,
    group: 'roofline',
    flops: FMA_INVOCATIONS * iters * chains * 8,
    setup: () => ({ out: E.keep(E.zeros([FMA_INVOCATIONS])) }),
    step: ({ out }) => E.runtime().dispatcher.run({ shader: 'roofline_fma', defines, buffers: [out.buffer], floats: [0.5, 0, 0, 0], workgroups: [FMA_INVOCATIONS / 256] }),
    dispose: ({ out }) => out.dispose(),
  };
}

export function peakFlopsWorkloads(): Workload<{ out: E.Tensor }>[] {
  return FMA_CHAINS.map(peakFlopsWorkload);
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


