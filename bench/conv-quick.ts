// Quick conv GFLOP/s on the ConvNet-3 layers at batch 64 (3x3, padding 1): npx tsx bench/conv-quick.ts
// Each pass is warmed up (pipeline compile), then timed over a few runs between syncs. Besides wall time it
// reports process CPU time spread over the cores, which is steadier on a shared machine (lavapipe runs on
// the CPU, so its threads are this process's).
import * as E from '../engine/index.js';
import { cpus } from 'node:os';

const REPS = Number(process.env.REPS ?? 5);
const BATCH = 64;
const layers = [
  { c: 3, o: 128, s: 32 },
  { c: 128, o: 128, s: 16 },
  { c: 128, o: 128, s: 8 },
];

await E.initEngine();
const cores = cpus().length;
let totalMs = 0;
for (const { c, o, s } of layers) {
  const x = E.tensor(new Float32Array(BATCH * c * s * s).fill(0.5), [BATCH, c, s, s]);
  const w = E.tensor(new Float32Array(o * c * 9).fill(0.01), [o, c, 3, 3]);
  const gy = E.tensor(new Float32Array(BATCH * o * s * s).fill(0.1), [BATCH, o, s, s]);
  const flops = 2 * BATCH * o * s * s * c * 9;
  // Each pass returns nothing, so tidy() frees its result (a kept result would make every run allocate).
  const passes: [string, () => void][] = [
    ['forward', () => void E.conv2d(x, w, undefined, { padding: 1 })],
    ['backward-data', () => void E.conv2dBackwardData(gy, w, x.shape, { padding: 1 })],
    ['backward-weight', () => void E.conv2dBackwardWeight(x, gy, w.shape, { padding: 1 })],
  ];
  let layerMs = 0;
  for (const [name, pass] of passes) {
    E.tidy(pass);
    await E.sync();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < REPS; i++) E.tidy(pass);
    await E.sync();
    const ms = (performance.now() - t0) / REPS;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / REPS / cores;
    totalMs += ms;
    layerMs += ms;
    const gflops = (t: number) => (flops / t / 1e6).toFixed(1);
    console.log(`conv ${c}->${o} @${s} ${name.padEnd(15)} ${ms.toFixed(1).padStart(7)} ms ${gflops(ms).padStart(5)} GFLOP/s   (cpu/${cores}: ${cpuMs.toFixed(1)} ms, ${gflops(cpuMs)} GFLOP/s)`);
  }
  console.log(`conv ${c}->${o} @${s} all three passes: ${layerMs.toFixed(1)} ms, ${((3 * flops) / layerMs / 1e6).toFixed(1)} GFLOP/s`);
  [x, w, gy].forEach((t) => t.dispose());
}
console.log(`all passes: ${totalMs.toFixed(0)} ms`);
process.exit(0);
