// Quick matmul GFLOP/s for tuning: npx tsx bench/matmul-quick.ts
import * as E from '../engine/index.js';
await E.initEngine();
const shapes: [number, number, number, boolean, boolean][] = [[1024, 1024, 1024, false, false], [1024, 1024, 1024, true, false], [1024, 1024, 1024, false, true], [128, 1152, 1024, false, false]];
for (const [M, K, N, tA, tB] of shapes) {
  const a = E.tensor(new Float32Array(M * K).fill(0.5), tA ? [K, M] : [M, K]);
  const b = E.tensor(new Float32Array(K * N).fill(0.25), tB ? [N, K] : [K, N]);
  E.tidy(() => void E.matmul(a, b, { transA: tA, transB: tB }));
  await E.sync();
  const reps = 4;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) E.tidy(() => void E.matmul(a, b, { transA: tA, transB: tB }));
  await E.sync();
  const ms = (performance.now() - t0) / reps;
  console.log(`${M}x${K}x${N} tA=${tA} tB=${tB}: ${ms.toFixed(1)} ms, ${((2 * M * N * K) / ms / 1e6).toFixed(2)} GFLOP/s`);
  a.dispose(); b.dispose();
}
process.exit(0);
