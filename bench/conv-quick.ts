// Quick conv GFLOP/s on the ConvNet-3 layers at batch 64: npx tsx bench/conv-quick.ts
import * as E from '../engine/index.js';
await E.initEngine();
const layers = [[3, 32], [128, 16], [128, 8]];
for (const [c, s] of layers) {
  const x = E.tensor(new Float32Array(64 * c * s * s).fill(0.5), [64, c, s, s]);
  const w = E.tensor(new Float32Array(128 * c * 9).fill(0.01), [128, c, 3, 3]);
  const g = E.tensor(new Float32Array(64 * 128 * s * s).fill(0.1), [64, 128, s, s]);
  const flops = 2 * 64 * 128 * s * s * c * 9;
  const passes: [string, () => void][] = [
    ['fwd', () => void E.conv2d(x, w, undefined, { padding: 1 })],
    ['bwd-data', () => void E.conv2dBackwardData(g, w, x.shape, { padding: 1 })],
    ['bwd-weight', () => void E.conv2dBackwardWeight(x, g, w.shape, { padding: 1 })],
  ];
  for (const [name, f] of passes) {
    E.tidy(f);
    await E.sync();
    const reps = 3;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) E.tidy(f);
    await E.sync();
    const ms = (performance.now() - t0) / reps;
    console.log(`conv ${c}->128 @${s} ${name}: ${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
  [x, w, g].forEach((t) => t.dispose());
}
process.exit(0);
