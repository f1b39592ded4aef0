// Batched matrix products (shaders/matmul.wgsl) and linear layers. Transposes are read in place through
// the kernel's TRANS_A / TRANS_B variants, so backward rules are matmuls of the saved operands too.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { sum } from './reduce.js';
import { packedMatmul } from './conv.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

// Tile per invocation and workgroup shape, measured on lavapipe (1024^3: 16x8 in 8x8 groups ~13.6 GFLOP/s,
// 8x8 per invocation ~10, 16x4 ~7.5; unrolling k as well spills registers and halves the speed).
const TM = 16;
const TN = 8;
const WG_X = 8;
const WG_Y = 8;

type Flags = { transA: boolean; transB: boolean; bias: boolean };
const kernels = new Map<string, Record<string, string | number | boolean>>();

/** The unrolled TM x TN body for shaders/matmul.wgsl, generated once per variant. */
function matmulDefines(f: Flags): Record<string, string | number | boolean> {
  const key = `${+f.transA}${+f.transB}${+f.bias}`;
  let d = kernels.get(key);
  if (d) return d;
  const rows = [...Array(TM).keys()];
  const cols = [...Array(TN).keys()];
  const acc = (i: number, j: number) => `c${i}_${j >> 2}`;
  const lane = ['x', 'y', 'z', 'w'];
  const groups = [...Array(TN / 4).keys()];
  const DECLARE = [
    ...cols.map((j) => `  let n${j} = min(nBase + ${WG_X * j}u, lastN);`),
    ...rows.map((i) => `  let m${i} = min(mBase + ${i}u, lastM);`),
    ...rows.flatMap((i) => groups.map((g) => `  var c${i}_${g} = vec4f(0.0);`)),
  ].join('\n');
  const ACCUMULATE = [
    ...groups.map((g) => `    let b${g} = vec4f(${[0, 1, 2, 3].map((q) => `loadB(bOff, k, n${4 * g + q})`).join(', ')});`),
    ...rows.flatMap((i) => [`    let a${i} = loadA(aOff, m${i}, k);`, ...groups.map((g) => `    c${i}_${g} += a${i} * b${g};`)]),
  ].join('\n');
  const biasLoad = f.bias ? groups.map((g) => `  let bias${g} = vec4f(${[0, 1, 2, 3].map((q) => `bias[n${4 * g + q}]`).join(', ')});`) : [];
  const STORE = [
    ...biasLoad,
    ...rows.map((i) => {
      const stores = cols.map((j) => `    if (nBase + ${WG_X * j}u < p.N) { C[o + ${WG_X * j}u] = ${acc(i, j)}.${lane[j % 4]}${f.bias ? ` + bias${j >> 2}.${lane[j % 4]}` : ''}; }`);
      return `  if (mBase + ${i}u < p.M) {\n    let o = cOff + (mBase + ${i}u) * p.N + nBase;\n${stores.join('\n')}\n  }`;
    }),
  ].join('\n');
  d = { TRANS_A: f.transA, TRANS_B: f.transB, BIAS: f.bias, WG_X, WG_Y, TM, TN, DECLARE, ACCUMULATE, STORE };
  kernels.set(key, d);
  return d;
}

interface Dims {
  batch: number;
  aBatched: boolean;
  bBatched: boolean;
  batchShape: number[];
  M: number;
  N: number;
  K: number;
}

function dims(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Dims {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [K2, N] = transB ? [bc, br] : [br, bc];
  if (K !== K2) throw new Error(`matmul: inner sizes differ: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} x ${fmt(b.shape)}${transB ? 'ᵀ' : ''}`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const aBatched = aBatch.length > 0;
  const bBatched = bBatch.length > 0;
  if (aBatched && bBatched && (aBatch.length !== bBatch.length || aBatch.some((d, i) => d !== bBatch[i]))) {
    throw new Error(`matmul: batch dimensions differ: ${fmt(a.shape)} x ${fmt(b.shape)}`);
  }
  const batchShape = aBatched ? aBatch : bBatch;
  return { batch: batchShape.reduce((x, y) => x * y, 1), aBatched, bBatched, batchShape, M, N, K };
}

/**
 * From `packedMinMacs` multiply-adds on, products with a shared left operand run as the convolutions'
 * packed GEMM (one vec4 load per four reduction steps, rows spread by subgroup broadcast), measured faster
 * on lavapipe (bench/README.md). Benchmarks and tests may move the threshold.
 */
export const matmulKernels = { packedMinMacs: 1 << 20 };

function matmulRaw(a: Tensor, b: Tensor, d: Dims, transA: boolean, transB: boolean, bias?: Tensor): Tensor {
  const shape = [...d.batchShape, d.M, d.N];
  if (!bias && !d.aBatched && d.batch * d.M * d.N * d.K >= matmulKernels.packedMinMacs && d.K > 0) {
    return packedMatmul(a, b, d, transA, transB, shape);
  }
  const out = empty(shape);
  if (out.size === 0) return out;
  runtime().dispatcher.run({
    shader: 'matmul',
    defines: matmulDefines({ transA, transB, bias: !!bias }),
    buffers: bias ? [a.buffer, b.buffer, bias.buffer, out.buffer] : [a.buffer, b.buffer, out.buffer],
    ints: [d.M, d.N, d.K, 0, d.aBatched ? d.M * d.K : 0, d.bBatched ? d.K * d.N : 0, d.M * d.N, 0],
    workgroups: [Math.ceil(d.N / (WG_X * TN)), Math.ceil(d.M / (WG_Y * TM)), d.batch],
  });
  return out;
}

/** Sum a batched gradient over the batch when its operand was a single matrix broadcast over the batch. */
function unbatch(g: Tensor, batched: boolean, d: Dims): Tensor {
  return !batched && d.batchShape.length > 0 ? sum(g, [...d.batchShape.keys()]) : g;
}

/** op(a) x op(b): [...B, M, K] x [...B, K, N] -> [...B, M, N]; a single matrix broadcasts over the batch. */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const d = dims(a, b, transA, transB);
  const out = matmulRaw(a, b, d, transA, transB);
  return record('matmul', out, [a, b], (g, needs) => [
    needs[0] ? unbatch(transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB }), d.aBatched, d) : null,
    needs[1] ? unbatch(transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA }), d.bBatched, d) : null,
  ]);
}

/** x [N, in] times weight [out, in] (PyTorch layout), plus bias [out]; the bias is fused into the kernel. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (x.rank !== 2 || weight.rank !== 2 || x.shape[1] !== weight.shape[1]) {
    throw new Error(`linear: expected x [N, in] and weight [out, in], got ${fmt(x.shape)} and ${fmt(weight.shape)}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[0])) throw new Error(`linear: bias ${fmt(bias.shape)} does not match weight ${fmt(weight.shape)}`);
  if (!bias) return matmul(x, weight, { transB: true });
  const d = dims(x, weight, false, true);
  const out = matmulRaw(x, weight, d, false, true, bias);
  return record('linear', out, [x, weight, bias], (g, needs) => [
    needs[0] ? matmul(g, weight) : null,
    needs[1] ? matmul(g, x, { transA: true }) : null,
    needs[2] ? sum(g, 0) : null,
  ]);
}
