// matmul (all transpose combinations, batched, broadcast) and linear against float64 CPU references.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

/** C = op(A) op(B) for stored A, B with optional batch (batchA/batchB = 0 means a single matrix). */
function refMatmul(M: number, K: number, N: number, tA: boolean, tB: boolean, batch: number, aBatched: boolean, bBatched: boolean) {
  return ([A, B]: Float64Array[]) => {
    const out = new Float64Array(batch * M * N);
    for (let b = 0; b < batch; b++) {
      const ao = aBatched ? b * M * K : 0, bo = bBatched ? b * K * N : 0;
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ao + (tA ? k * M + m : m * K + k)] * B[bo + (tB ? n * K + k : k * N + n)];
        out[b * M * N + m * N + n] = s;
      }
    }
    return out;
  };
}

const sizes: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [33, 17, 9], [7, 65, 130], [130, 3, 17]];

const plain: TestCase[] = sizes.flatMap(([M, K, N]) =>
  [[false, false], [true, false], [false, true], [true, true]].map(([tA, tB]) => ({
    name: `matmul ${M}x${K}x${N}${tA ? ' transA' : ''}${tB ? ' transB' : ''}`,
    run: () =>
      checkOp({
        name: 'matmul',
        inputs: [{ shape: tA ? [K, M] : [M, K] }, { shape: tB ? [N, K] : [K, N] }],
        gpu: ([a, b]) => E.matmul(a, b, { transA: tA, transB: tB }),
        ref: refMatmul(M, K, N, tA, tB, 1, false, false),
        gradTol: { atol: 2e-4, rtol: 2e-3 },
      }),
  })),
);

const batched: TestCase[] = [
  [3, 5, 7, 4, true, true],
  [3, 5, 7, 2, true, false],
  [3, 5, 7, 3, false, true],
].map(([M, K, N, batch, aB, bB]) => ({
  name: `batched matmul [${batch}] ${M}x${K}x${N}${aB ? '' : ' (A broadcast)'}${bB ? '' : ' (B broadcast)'}`,
  run: () =>
    checkOp({
      name: 'batched matmul',
      inputs: [{ shape: aB ? [batch as number, M as number, K as number] : [M as number, K as number] }, { shape: bB ? [batch as number, K as number, N as number] : [K as number, N as number] }],
      gpu: ([a, b]) => E.matmul(a, b),
      ref: refMatmul(M as number, K as number, N as number, false, false, batch as number, aB as boolean, bB as boolean),
    }),
}));

function refLinear(N: number, I: number, O: number, withBias: boolean) {
  return ([x, w, b]: Float64Array[]) => {
    const out = new Float64Array(N * O);
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
      let s = withBias ? b[o] : 0;
      for (let i = 0; i < I; i++) s += x[n * I + i] * w[o * I + i];
      out[n * O + o] = s;
    }
    return out;
  };
}

const linears: TestCase[] = [[5, 7, 3, true], [1, 33, 10, true], [9, 4, 17, false]].map(([N, I, O, bias]) => ({
  name: `linear [${N}, ${I}] -> ${O}${bias ? ' + bias' : ''}`,
  run: () =>
    checkOp({
      name: 'linear',
      inputs: [{ shape: [N as number, I as number] }, { shape: [O as number, I as number] }, ...(bias ? [{ shape: [O as number] }] : [])],
      gpu: ([x, w, b]) => E.linear(x, w, b),
      ref: refLinear(N as number, I as number, O as number, bias as boolean),
    }),
}));

// Above matmulKernels.packedMinMacs (2^20) products run as the convolutions' packed GEMM: odd sizes (K not a
// multiple of 4), every transpose, and a batch sharing A. Forward only: the backward rules are these same
// products, which the transposed cases cover, and finite differences at this size would take minutes.
const packed: TestCase[] = (
  [
    [65, 257, 253, false, false, 1],
    [65, 257, 253, true, false, 1],
    [65, 257, 253, false, true, 1],
    [65, 257, 253, true, true, 1],
    [33, 129, 1000, false, false, 3],
  ] as const
).map(([M, K, N, tA, tB, batch]) => ({
  name: `packed matmul ${batch > 1 ? `[${batch}] ` : ''}${M}x${K}x${N}${tA ? ' transA' : ''}${tB ? ' transB' : ''}`,
  run: () =>
    checkOp({
      name: 'packed matmul',
      inputs: [{ shape: tA ? [K, M] : [M, K] }, { shape: [...(batch > 1 ? [batch] : []), ...(tB ? [N, K] : [K, N])] }],
      gpu: ([a, b]) => E.matmul(a, b, { transA: tA, transB: tB }),
      ref: refMatmul(M, K, N, tA, tB, batch, false, batch > 1),
      noGrad: true,
      tol: { atol: 1e-4, rtol: 1e-4 },
    }),
}));

export const matmulCases: TestCase[] = [
  ...plain,
  ...packed,
  ...batched,
  ...linears,
  {
    name: 'matmul rejects mismatched inner sizes with the shapes in the message',
    run: async () => {
      const a = E.zeros([2, 3]);
      const b = E.zeros([4, 5]);
      let msg = '';
      try {
        E.matmul(a, b);
      } catch (e) {
        msg = (e as Error).message;
      }
      a.dispose();
      b.dispose();
      if (!msg.includes('[2, 3]') || !msg.includes('[4, 5]')) throw new Error(`unexpected message: ${msg}`);
    },
  },
];
