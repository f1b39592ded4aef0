// npm run tune: on the shapes condensation runs (ConvNet-3's conv layers at batch 64; matmul 1024^3) time
// every algorithm of each convolution pass (Winograd F(4x4) / F(2x2), the implicit GEMM) and then every
// packed-GEMM tile of the GEMM the chosen algorithm runs, keep the fastest per problem class for this
// adapter, and save them to the tuning cache (src/node/tuning-file.ts), which `hmn` and `npm run bench`
// load at start.
import * as E from '../engine/index.js';
import { loadTuningFile, saveTuningFile, tuningFilePath } from '../src/node/tuning-file.js';
import { CONVNET3_LAYERS } from './workloads.js';

await E.initEngine();
loadTuningFile();
const r = new E.Random(7);
const tensors: E.Tensor[] = [];
const randn = (shape: number[]) => {
  const t = E.keep(E.randomNormal(shape, r, 0, 1));
  tensors.push(t);
  return t;
};
const fmt = (t: E.TileChoice) => `${t.tn} px x ${t.tmMax} rows`;
const report = (res: E.TuneResult, what: string) =>
  console.log(`${what}: best ${fmt(res.best)}; ${E.GEMM_TILES.map((t, i) => `${fmt(t)} ${res.times[i].toFixed(1)} ms`).join(', ')}`);

const reportAlgorithm = (res: E.TuneResult<E.ConvAlgorithm>, what: string) =>
  console.log(`${what}: best ${res.best}; ${E.CONV_ALGORITHMS.map((a, i) => `${a} ${res.times[i].toFixed(1)} ms`).join(', ')}`);

for (const s of CONVNET3_LAYERS.filter((l) => l.c >= 4)) {
  const x = randn([s.n, s.c, s.size, s.size]);
  const w = randn([s.o, s.c, 3, 3]);
  const gy = randn([s.n, s.o, s.size, s.size]);
  const opts = { padding: 1 };
  const passes = [
    ['forward', () => void E.conv2d(x, w, undefined, opts)],
    ['backwardData', () => void E.conv2dBackwardData(gy, w, x.shape, opts)],
    ['backwardWeight', () => void E.conv2dBackwardWeight(x, gy, w.shape, opts)],
  ] as const;
  for (const [pass, run] of passes) {
    // The algorithm first (Winograd 4x4 / 2x2 or the implicit GEMM), then the tile of the GEMM it runs.
    reportAlgorithm(await E.autotuneAlgorithm(E.convAlgorithmKey(pass, x.shape, w.shape, opts), run), `${s.label} ${pass} algorithm`);
    if (pass !== 'backwardWeight') report(await E.autotune('conv_gemm', E.convTuningKey(pass, x.shape, w.shape, opts), run), `${s.label} ${pass} GEMM tile`);
  }
}
const a = randn([1024, 1024]);
const b = randn([1024, 1024]);
report(await E.autotune('conv_gemm', E.convTuningKey('forward', [1, 1024, 1, 1024], [1024, 1024, 1, 1]), () => void E.matmul(a, b)), 'matmul 1024^3');
tensors.forEach((t) => t.dispose());
saveTuningFile();
console.log(`saved ${Object.keys(E.tuningSnapshot()).length} choices to ${tuningFilePath()}`);
process.exit(0);
