// Measuring workloads: wall-clock medians with tinybench (each sample ends with a GPU sync), plus one
// profiled run that attributes GPU time to kernels with timestamp queries.
import { Bench } from 'tinybench';
import * as E from '../engine/index.js';
import type { KernelTime } from '../engine/profiler.js';
import { stepOnce, type Workload } from './workload.js';

export type { Workload };

export interface Measurement {
  name: string;
  group: string;
  medianMs: number;
  meanMs: number;
  samples: number;
  gflops?: number;
  gbps?: number;
  kernels?: KernelTime[];
}

export interface MeasureOptions {
  repeat: number;
  profile: boolean;
}

export async function measure(w: Workload<any>, opts: MeasureOptions): Promise<Measurement> {
  const ctx = w.setup();
  const steps = w.stepsPerSample ?? 1;
  const once = () => stepOnce(w, ctx);
  const sample = async () => {
    for (let i = 0; i < steps; i++) await once();
    await E.sync();
  };
  await sample(); // compile pipelines, fill the pool
  const bench = new Bench({ time: 0, iterations: opts.repeat, warmup: false });
  bench.add(w.name, sample);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`benchmark '${w.name}' ${result.state}: ${'error' in result ? String(result.error) : ''}`);
  const medianMs = result.latency.p50 / steps;
  const meanMs = result.latency.mean / steps;
  let kernels: KernelTime[] | undefined;
  if (opts.profile && E.runtime().device.features.has('timestamp-query')) {
    const d = E.runtime().dispatcher;
    d.startProfiling();
    await once();
    kernels = await d.stopProfiling();
  }
  w.dispose(ctx);
  return {
    name: w.name,
    group: w.group,
    medianMs,
    meanMs,
    samples: result.latency.samplesCount ?? opts.repeat,
    gflops: w.flops ? w.flops / (medianMs * 1e6) : undefined,
    gbps: w.bytes ? w.bytes / (medianMs * 1e6) : undefined,
    kernels,
  };
}

const fmt = (v: number | undefined, digits = 2) => (v === undefined ? '' : v.toFixed(digits));

export interface Roofline {
  peakGflops: number;
  bandwidthGbps: number;
  dispatchUs: number;
}

export function markdownTable(rows: Measurement[], roofline?: Roofline): string {
  const pct = (v: number | undefined, peak: number | undefined) => (v === undefined || !peak ? '' : `${((100 * v) / peak).toFixed(0)}%`);
  const lines = [
    '| workload | median ms | GFLOP/s | % peak FLOP/s | GB/s | % bandwidth | top kernels (GPU ms, profiled run) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const top = (r.kernels ?? []).slice(0, 3).map((k) => `${k.kernel.split(' ')[0]} ${k.totalMs.toFixed(1)}`).join(', ');
    const roof = r.group !== 'roofline' ? roofline : undefined;
    lines.push(`| ${r.name} | ${fmt(r.medianMs, r.medianMs < 1 ? 4 : 1)} | ${fmt(r.gflops)} | ${pct(r.gflops, roof?.peakGflops)} | ${fmt(r.gbps)} | ${pct(r.gbps, roof?.bandwidthGbps)} | ${top} |`);
  }
  return lines.join('\n');
}
