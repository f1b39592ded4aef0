// 2-D convolution (NCHW, groups 1, dilation 1): the forward pass, backward-data and backward-weight as
// ops of their own. The three are bilinear and each one's gradients are the other two, so every backward
// rule below is made of these same recorded ops and convolutions differentiate to any order (gradient
// matching needs the second).
//
// Kernels. Large problems run as implicit GEMMs over packed operands (shaders/conv_pack.wgsl puts the
// reduced channel axis innermost in vec4 blocks): shaders/conv_gemm.wgsl for the forward pass and
// backward-data, shaders/conv_wgrad.wgsl (split-K where a GPU needs more workgroups, the partial slices
// summed afterwards) for backward-weight. With fewer than 4 input channels the same kernels run as 1x1
// convolutions over im2col columns (shaders/conv_columns.wgsl). Tiny problems run shaders/conv_direct.wgsl,
// one invocation per output element, which is also the reference the tiled kernels are checked against
// (convKernels.mode forces one or the other).
//
// Why this shape (measured on lavapipe, Mesa 25 / LLVM 15, 8-lane SIMD): every storage load whose
// address differs between lanes is a per-lane scalar loop there (~10 instructions per element), so loads
// per multiply-add decide the speed. Packing makes one vec4 load cover four reduction steps; rows shared
// by a workgroup are loaded once per eight lanes and spread with subgroupBroadcast; tap loops sit outside
// the channel loop so masks and offsets are computed once per tap. On GPUs the same choices are harmless.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grid1d } from '../dispatch.js';
import { noGrad, record } from '../autodiff.js';
import { fmt } from '../shape.js';
import type { Defines } from '../shaders.js';
import { algorithmFor, tileFor } from '../tuning.js';
import { add } from './elementwise.js';
import { tileGrid, winogradFilterGrad, winogradInput, winogradOutput, winogradWeights, type TileGrid, type WinogradTile } from './winograd.js';
import { sum, reshape } from './reduce.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: number;
}

/**
 * Kernel choice: 'auto' picks by size; tests force 'direct' or 'tiled' to cover both, and turn `broadcast`
 * off to cover the tiled kernels' path for devices without subgroups.
 */
export const convKernels: { mode: 'auto' | 'direct' | 'tiled' | 'winograd'; broadcast: boolean; winogradTile: WinogradTile } = {
  mode: 'auto',
  broadcast: true,
  winogradTile: 4,
};

/**
 * Below this many multiply-adds per pass the direct kernel beats packing + tiles (lavapipe, all three
 * passes: 0.15M MACs 1.5 vs 5.5 ms, 0.3M 3.1 vs 6.1, 0.6M 4.8 vs 2.8, 1.2M 11 vs 3.9).
 */
const DIRECT_MAX_MACS = 1 << 18;

/** Winograd needs this many rows and reduced channels (the automatic choice; see useWinograd). */
const WINOGRAD_MIN_CHANNELS = 16;

interface Geometry {
  batch: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

function geometry(op: string, input: readonly number[], weight: readonly number[], opts: ConvOptions): Geometry {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  if (input.length !== 4 || weight.length !== 4) {
    throw new Error(`${op}: expected input [N, C, H, W] and weight [O, C, kh, kw], got ${fmt(input)} and ${fmt(weight)}`);
  }
  if (!Number.isInteger(stride) || stride < 1 || !Number.isInteger(pad) || pad < 0) {
    throw new Error(`${op}: stride must be an integer >= 1 and padding an integer >= 0, got ${stride} and ${pad}`);
  }
  const [batch, cin, h, w] = input;
  const [cout, wc, kh, kw] = weight;
  if (wc !== cin) throw new Error(`${op}: input ${fmt(input)} has ${cin} channels but weight ${fmt(weight)} expects ${wc}`);
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - kw) / stride) + 1;
  if (ho < 1 || wo < 1) throw new Error(`${op}: kernel ${kh}x${kw} does not fit input ${fmt(input)} with padding ${pad}`);
  return { batch, cin, h, w, cout, ho, wo, kh, kw, stride, pad };
}

const geoInts = (g: Geometry, total: number): number[] => [g.batch, g.cin, g.h, g.w, g.cout, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, total];

const range = (n: number): number[] => [...Array(n).keys()];

/** Memoise generated defines so the dispatcher's pipeline key is computed once per variant. */
function memo<K extends unknown[]>(make: (...key: K) => Defines): (...key: K) => Defines {
  const cache = new Map<string, Defines>();
  return (...key: K) => {
    const k = JSON.stringify(key);
    let d = cache.get(k);
    if (!d) cache.set(k, (d = make(...key)));
    return d;
  };
}

/** Whether lanes 0..7 of every subgroup can share loads through subgroupBroadcast. */
const broadcastSupport = new WeakMap<GPUDevice, boolean>();
function canBroadcast(): boolean {
  if (!convKernels.broadcast) return false;
  const { device, info } = runtime();
  let ok = broadcastSupport.get(device);
  if (ok === undefined) {
    ok = info.features.has('subgroups') && (device.adapterInfo?.subgroupMinSize ?? 0) >= 8;
    broadcastSupport.set(device, ok);
  }
  return ok;
}

// ------------------------------------------------------------------ packing

interface PackLayout {
  outer: number;
  inner: number;
  chans: number;
  outerStride: number;
  innerStride: number;
  chanStride: number;
}

/** Raw [outer][inner][ceil(chans / 4)] vec4 copy of `src` (shaders/conv_pack.wgsl). */
function pack(src: Tensor, l: PackLayout): Tensor {
  const blocks = Math.ceil(l.chans / 4);
  const out = empty([l.outer * l.inner * blocks * 4]);
  runtime().dispatcher.run({
    shader: 'conv_pack',
    buffers: [src.buffer, out.buffer],
    ints: [l.inner, blocks, l.chans, l.outerStride, l.innerStride, l.chanStride, 0, 0],
    workgroups: [Math.ceil(l.inner / 64), l.outer],
  });
  return out;
}

/** [N, C, H, W] -> [N][H][W][C/4]. */
const packImage = (t: Tensor): Tensor => {
  const [n, c, h, w] = t.shape;
  return pack(t, { outer: n, inner: h * w, chans: c, outerStride: c * h * w, innerStride: 1, chanStride: h * w });
};

/** Weights [O, C, kh, kw] -> [tap][O][C/4] (forward: reduce over C). */
const packWeightsByInput = (w: Tensor): Tensor => {
  const [o, c, kh, kw] = w.shape;
  return pack(w, { outer: kh * kw, inner: o, chans: c, outerStride: 1, innerStride: c * kh * kw, chanStride: kh * kw });
};

/** Weights [O, C, kh, kw] -> [tap][C][O/4] (backward-data: reduce over O). */
const packWeightsByOutput = (w: Tensor): Tensor => {
  const [o, c, kh, kw] = w.shape;
  return pack(w, { outer: kh * kw, inner: c, chans: o, outerStride: 1, innerStride: kh * kw, chanStride: c * kh * kw });
};

// ------------------------------------------------------------------ tiled forward / backward-data

const WG = 64;

/** Rows per invocation by the row count: four blocks of eight lanes at most (`max` from the tuned tile). */
const rowTile = (rows: number, max = 32): number => Math.min(max, rows > 16 ? 32 : rows > 8 ? 16 : rows > 4 ? 8 : 4);
// Pixels per invocation and the row cap come from engine/tuning.ts: measured per adapter and problem class
// when someone ran the tuner, else 4 pixels and up to 32 rows (best on lavapipe: more pixels only amortise
// the row loads further, ran slower and compiled slower).

/**
 * The packed GEMM's problem for a pass: its rows (output channels, or input channels for backward-data),
 * reduction blocks of 4, source and output planes, output pixels, and the class engine/tuning.ts keys
 * its choices by.
 */
function gemmProblem(forward: boolean, g: Geometry) {
  const [rows, blocks, srcH, srcW, outH, outW] = forward
    ? [g.cout, Math.ceil(g.cin / 4), g.h, g.w, g.ho, g.wo]
    : [g.cin, Math.ceil(g.cout / 4), g.ho, g.wo, g.h, g.w];
  const npix = g.batch * outH * outW;
  const key = `${forward ? 'forward' : 'backward-data'} rows ${rows} blocks ${blocks} taps ${g.kh}x${g.kw} pixels 2^${Math.round(Math.log2(npix))}`;
  return { rows, blocks, srcH, srcW, outH, outW, npix, key };
}

/**
 * The tuning key of the GEMM that conv2d's forward pass or backward-data runs for these shapes (see
 * engine/tuning.ts): the implicit GEMM's, or under Winograd (as chosen now) the stacked products'.
 */
export function convTuningKey(pass: 'forward' | 'backwardData', input: readonly number[], weight: readonly number[], opts: ConvOptions = {}): string {
  const g = geometry('convTuningKey', input, weight, opts);
  const m = winogradTileFor(g, pass);
  if (!m) return gemmProblem(pass === 'forward', g).key;
  const forward = pass === 'forward';
  const grid = tileGrid(m, g.batch, forward ? g.ho : g.h, forward ? g.wo : g.w);
  return gemmProblem(true, winogradFlat(grid, forward ? g.cin : g.cout, forward ? g.cout : g.cin)).key;
}

const gemmDefines = memo((forward: boolean, stride1: boolean, bias: boolean, lanes: boolean, TM: number, TN: number): Defines => {
  const cols = range(TN);
  const rows = range(TM);
  const loads = lanes ? range(Math.ceil(TM / 8)) : rows; // A blocks loaded per step
  const SETUP = [
    ...cols.map((j) => `  let q${j} = min(first + ${j * WG}, lastPix); let img${j} = q${j} / howo; let r${j} = q${j} % howo; let y${j} = r${j} / p.wo; let x${j} = r${j} % p.wo;`),
    ...loads.map((g) => (lanes ? `  let row${g} = min(mBase + ${8 * g} + i32(lane % 8u), lastRow);` : `  let row${g} = min(mBase + ${g}, lastRow);`)),
    ...rows.flatMap((i) => cols.map((j) => `  var acc${i}_${j} = 0.0;`)),
  ].join('\n');
  const PER_TAP = [
    ...cols.map((j) => `      let src${j} = source(img${j}, y${j}, x${j}, ky, kx); let ok${j} = src${j} >= 0; let at${j} = max(src${j}, 0) + zB;`),
    ...loads.map((g) => `      let a${g} = (tap * p.rows + row${g}) * p.blocks + zA;`),
  ].join('\n');
  const STEP = [
    ...cols.map((j) => `        let b${j} = select(vec4f(0.0), B[at${j} + k], ok${j});`),
    ...(lanes ? loads.map((g) => `        let v${g} = A[a${g} + k];`) : []),
    ...rows.flatMap((i) => [
      lanes ? `        let w${i} = subgroupBroadcast(v${i >> 3}, ${i % 8}u);` : `        let w${i} = A[a${i} + k];`,
      ...cols.map((j) => `        acc${i}_${j} += dot(w${i}, b${j});`),
    ]),
  ].join('\n');
  const RESULTS = rows.flatMap((i) => cols.map((j) => `  result[${i * TN + j}] = acc${i}_${j};`)).join('\n');
  const PIXELS = cols.map((j) => `  pixelAt[${j}] = img${j} * p.rows * howo + r${j};`).join('\n');
  return {
    SUBGROUPS: lanes, FORWARD: forward, STRIDE1: stride1, BIAS: bias, WG, TM, TN,
    LANE_PARAM: lanes ? ', @builtin(subgroup_invocation_id) lane: u32' : '',
    SETUP, PER_TAP, STEP, RESULTS, PIXELS,
  };
});

/**
 * out[n, m, y, x] = sum over taps and k of A[tap][m][k] * B[n][src][k] (see shaders/conv_gemm.wgsl).
 * Forward: B = packed input, rows = O. Backward-data: B = packed output gradient, rows = C.
 */
function gemm(forward: boolean, b: Tensor, a: Tensor, g: Geometry, bias?: Tensor, stack = 1): Tensor {
  const { rows, blocks, srcH, srcW, outH, outW, npix, key } = gemmProblem(forward, g);
  const out = empty(stack > 1 ? [stack, g.batch, rows, outH, outW] : [g.batch, rows, outH, outW]);
  const tile = tileFor('conv_gemm', key);
  const TM = rowTile(rows, tile.tmMax);
  // A stack of same-shape problems runs on the grid's z axis, each one's operands after the previous one's.
  const [zA, zB, zOut] = stack > 1 ? [a.size / 4 / stack, b.size / 4 / stack, out.size / stack] : [0, 0, 0];
  runtime().dispatcher.run({
    shader: 'conv_gemm',
    defines: gemmDefines(forward, !forward && g.stride === 1, !!bias, canBroadcast(), TM, tile.tn),
    buffers: bias ? [b.buffer, a.buffer, bias.buffer, out.buffer] : [b.buffer, a.buffer, out.buffer],
    ints: [blocks, rows, srcH, srcW, outH, outW, g.kh, g.kw, g.stride, g.pad, npix, 0, zA, zB, zOut, 0],
    workgroups: [Math.ceil(npix / (WG * tile.tn)), Math.ceil(rows / TM), stack],
  });
  return out;
}

/**
 * Matrix products through the same GEMM: C[b] = op(A) op(B[b]) with A [M, K] shared by the batch is a 1x1
 * convolution whose rows are A's rows and whose pixels are B's columns. Packing reads either operand
 * transposed through its strides; the result comes back as `outShape` ([...batch, M, N]). No bias (the conv
 * kernel's bias is per row, a linear layer's per column).
 */
export function packedMatmul(a: Tensor, b: Tensor, d: { batch: number; M: number; N: number; K: number }, transA: boolean, transB: boolean, outShape: number[]): Tensor {
  const { batch, M, N, K } = d;
  // (Its tuning key is convTuningKey('forward', [batch, K, 1, N], [M, K, 1, 1]).)
  const ap = pack(a, { outer: 1, inner: M, chans: K, outerStride: 0, innerStride: transA ? 1 : K, chanStride: transA ? M : 1 });
  const bp = pack(b, { outer: batch, inner: N, chans: K, outerStride: K * N, innerStride: transB ? K : 1, chanStride: transB ? 1 : N });
  const g: Geometry = { batch, cin: K, h: 1, w: N, cout: M, ho: 1, wo: N, kh: 1, kw: 1, stride: 1, pad: 0 };
  return reshapeOwned(withTemps([ap, bp], () => gemm(true, bp, ap, g)), outShape);
}

// ------------------------------------------------------------------ tiled backward-weight

/**
 * Output pixels per loop step: each accumulator then takes U products per (exec-masked) update. Columns
 * per invocation: 1 (2 ran no faster on lavapipe and compiled ten times slower; U = 4 was slower).
 */
const WGRAD_U = 2;
const WGRAD_TN = 1;

const wgradDefines = memo((lanes: boolean, TM: number, TN: number, wg: number): Defines => {
  const cols = range(TN);
  const rows = range(TM);
  const us = range(WGRAD_U);
  const blocks = lanes ? range(Math.ceil(TM / 32)) : range(TM / 4); // G blocks loaded per pixel
  const lane = ['x', 'y', 'z', 'w'];
  const SETUP = [
    ...cols.map((j) => `  let col${j} = min(first + ${j * wg}, lastCol); let tap${j} = col${j} / p.cblocks; let cb${j} = col${j} % p.cblocks; let ky${j} = tap${j} / p.kw; let kx${j} = tap${j} % p.kw;`),
    ...blocks.map((b) => `  let ob${b} = min(mBase / 4 + ${lanes ? `${8 * b} + i32(lane % 8u)` : b}, lastBlock);`),
    ...rows.flatMap((i) => cols.map((j) => `  var acc${i}_${j} = vec4f(0.0);`)),
  ].join('\n');
  const PER_LINE = cols
    .map((j) => `    let sy${j} = y * p.stride - p.pad + ky${j}; let lineOk${j} = u32(sy${j}) < u32(p.h); let lineAt${j} = (n * p.h + sy${j}) * p.w * p.cblocks + cb${j} + zX;`)
    .join('\n');
  const STEP = [
    ...us.flatMap((u) => [
      `      let x${u} = x + ${u}; let in${u} = x${u} < p.wo;`,
      ...blocks.map((b) => `      let v${b}_${u} = select(vec4f(0.0), G[gLine + min(x${u}, p.wo - 1) * p.oblocks + ob${b}], in${u});`),
      ...cols.map((j) =>
        `      let sx${j}_${u} = x${u} * p.stride - p.pad + kx${j}; let ok${j}_${u} = lineOk${j} && u32(sx${j}_${u}) < u32(p.w); ` +
        `let b${j}_${u} = select(vec4f(0.0), X[select(0, lineAt${j} + sx${j}_${u} * p.cblocks, ok${j}_${u})], ok${j}_${u});`),
    ]),
    ...rows.flatMap((i) => [
      ...us.map((u) =>
        lanes
          ? `      let g${i}_${u} = subgroupBroadcast(v${i >> 5}_${u}.${lane[i % 4]}, ${(i % 32) >> 2}u);`
          : `      let g${i}_${u} = v${i >> 2}_${u}.${lane[i % 4]};`),
      ...cols.map((j) => `      acc${i}_${j} += ${us.map((u) => `g${i}_${u} * b${j}_${u}`).join(' + ')};`),
    ]),
  ].join('\n');
  // Scalar slots: a vec4 array indexed by a loop compiles several times slower on lavapipe.
  const RESULTS = rows.flatMap((i) => cols.flatMap((j) => lane.map((c, q) => `  result[${(i * TN + j) * 4 + q}] = acc${i}_${j}.${c};`))).join('\n');
  const COLUMNS = cols.map((j) => `  colAt[${j}] = cb${j} * 4 * taps + tap${j}; chanAt[${j}] = cb${j} * 4;`).join('\n');
  return {
    SUBGROUPS: lanes, WG: wg, TM, TN, U: WGRAD_U,
    LANE_PARAM: lanes ? ', @builtin(subgroup_invocation_id) lane: u32' : '',
    SETUP, PER_LINE, STEP, RESULTS, COLUMNS,
  };
});

/**
 * Workgroups worth keeping busy; backward-weight splits its reduction until it has about this many. A CPU
 * adapter (lavapipe) has a few cores, and there every split only adds partial sums to add up (~10%).
 */
const targetWorkgroups = (): number => (runtime().info.adapterInfo.architecture === 'software' ? 16 : 256);

/**
 * dW [O, C, kh, kw] from packed input and packed output gradient (see shaders/conv_wgrad.wgsl); with a
 * `stack` of same-shape problems stored one after another, [stack, O, C, kh, kw].
 */
function wgrad(xp: Tensor, gp: Tensor, g: Geometry, stack = 1): Tensor {
  const cblocks = Math.ceil(g.cin / 4);
  const ncols = g.kh * g.kw * cblocks;
  // Without subgroups every lane loads all TM / 4 blocks of G per pixel: keep TM smaller there.
  const TM = Math.min(rowTile(g.cout), canBroadcast() ? 32 : 16);
  const TN = WGRAD_TN;
  // Lanes for the columns, in powers of two from 8 (one SIMD group on lavapipe) to 64: few pipelines.
  const wg = Math.min(WG, 2 ** Math.max(3, Math.ceil(Math.log2(ncols / TN))));
  const lines = g.batch * g.ho;
  const tiles = Math.ceil(ncols / (wg * TN)) * Math.ceil(g.cout / TM) * stack;
  const splits = Math.max(1, Math.min(Math.ceil(targetWorkgroups() / tiles), Math.floor(lines / 2)));
  const lineChunk = Math.ceil(lines / splits);
  const used = Math.ceil(lines / lineChunk);
  const weightShape = [g.cout, g.cin, g.kh, g.kw];
  const out = empty([...(stack > 1 ? [stack] : []), ...(used > 1 ? [used] : []), ...weightShape]);
  const [zX, zG] = stack > 1 ? [xp.size / 4 / stack, gp.size / 4 / stack] : [0, 0];
  runtime().dispatcher.run({
    shader: 'conv_wgrad',
    defines: wgradDefines(canBroadcast(), TM, TN, wg),
    buffers: [xp.buffer, gp.buffer, out.buffer],
    ints: [cblocks, Math.ceil(g.cout / 4), g.cout, g.cin, g.h, g.w, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, ncols, lines, lineChunk, used, zX, zG, 0, 0],
    workgroups: [Math.ceil(ncols / (wg * TN)), Math.ceil(g.cout / TM), stack * used],
  });
  if (used === 1) return out;
  const total = noGrad(() => sum(out, stack > 1 ? 1 : 0));
  out.dispose();
  return total;
}

// ------------------------------------------------------------------ direct kernels

/** The three passes of a convolution. */
type Pass = 'forward' | 'backwardData' | 'backwardWeight';

function direct(mode: Pass, s: Tensor, r: Tensor, g: Geometry, outShape: number[], bias?: Tensor): Tensor {
  const out = empty(outShape);
  runtime().dispatcher.run({
    shader: 'conv_direct',
    defines: { FORWARD: mode === 'forward', BACKWARD_DATA: mode === 'backwardData', BIAS: !!bias },
    buffers: bias ? [s.buffer, r.buffer, bias.buffer, out.buffer] : [s.buffer, r.buffer, out.buffer],
    ints: geoInts(g, out.size),
    workgroups: grid1d(out.size, 64),
  });
  return out;
}

/** The problem class a convolution pass's algorithm is tuned for (engine/tuning.ts). */
function algorithmKey(pass: Pass, g: Geometry): string {
  return `${pass} ${g.cin}->${g.cout} ${g.kh}x${g.kw} s${g.stride} p${g.pad} output ${g.ho}x${g.wo} images 2^${Math.round(Math.log2(g.batch))}`;
}

/** The tuning key of a convolution pass's algorithm choice for these shapes (see engine/tuning.ts). */
export function convAlgorithmKey(pass: Pass, input: readonly number[], weight: readonly number[], opts: ConvOptions = {}): string {
  return algorithmKey(pass, geometry('convAlgorithmKey', input, weight, opts));
}

/**
 * Winograd's tile size for this pass, or 0 for the packed GEMM: forced by convKernels.mode; else as tuned
 * for this adapter and problem class; else Winograd (convKernels.winogradTile) wherever it fits with at
 * least WINOGRAD_MIN_CHANNELS rows and reduced channels.
 */
function winogradTileFor(g: Geometry, pass: Pass): 0 | WinogradTile {
  if (!winogradFits(g)) return 0;
  if (convKernels.mode !== 'auto') return convKernels.mode === 'winograd' ? convKernels.winogradTile : 0;
  const tuned = algorithmFor(algorithmKey(pass, g));
  if (tuned) return tuned === 'gemm' ? 0 : tuned === 'winograd2' ? 2 : 4;
  const [rows, chans] = pass === 'backwardData' ? [g.cin, g.cout] : [g.cout, g.cin];
  return rows >= WINOGRAD_MIN_CHANNELS && chans >= WINOGRAD_MIN_CHANNELS ? convKernels.winogradTile : 0;
}

function useDirect(g: Geometry): boolean {
  if (convKernels.mode !== 'auto') return convKernels.mode === 'direct';
  return g.batch * g.cout * g.ho * g.wo * g.cin * g.kh * g.kw <= DIRECT_MAX_MACS;
}

// ------------------------------------------------------------------ Winograd (3x3, stride 1)

/** Winograd applies to 3x3 stride-1 filters; backward-data then pads by 2 - pad, so pad <= 2. */
const winogradFits = (g: Geometry): boolean => g.kh === 3 && g.kw === 3 && g.stride === 1 && g.pad <= 2;

/** Each transform position's product: a 1x1 "convolution" of its tiles (the pixels) with its transformed filters. */
const winogradFlat = (grid: TileGrid, chans: number, rows: number): Geometry => ({
  batch: 1, cin: chans, h: 1, w: grid.padded, cout: rows, ho: 1, wo: grid.padded, kh: 1, kw: 1, stride: 1, pad: 0,
});

/**
 * Forward or backward-data through Winograd's transforms (engine/ops/winograd.ts) and the packed GEMM, one
 * stacked product per transform position. `src` is x (forward) or the output gradient (backward-data).
 */
function winogradRaw(m: WinogradTile, forward: boolean, src: Tensor, w: Tensor, g: Geometry, bias?: Tensor): Tensor {
  const [rows, chans, outH, outW, pad] = forward ? [g.cout, g.cin, g.ho, g.wo, g.pad] : [g.cin, g.cout, g.h, g.w, 2 - g.pad];
  const grid = tileGrid(m, g.batch, outH, outW);
  const positions = (grid.m + 2) ** 2;
  const v = winogradInput(src, grid, pad);
  const u = winogradWeights(w, grid.m, !forward);
  const prod = withTemps([v, u], () => gemm(true, v, u, winogradFlat(grid, chans, rows), undefined, positions));
  return withTemps([prod], () => winogradOutput(prod, grid, [g.batch, rows, outH, outW], bias));
}

/**
 * Backward-weight through Winograd: both operands transformed per tile of the output gradient's grid
 * (x's windows as in the forward pass, the gradient's own tiles as the "filter"), then one stacked
 * product per position reduced over the tiles (the backward-weight GEMM over a 1x1 "convolution" whose
 * pixels are the tiles), then the filter-gradient transform.
 */
function winogradWeightGradRaw(m: WinogradTile, x: Tensor, gy: Tensor, g: Geometry): Tensor {
  const grid = tileGrid(m, g.batch, g.ho, g.wo);
  const positions = (grid.m + 2) ** 2;
  const v = winogradInput(x, grid, g.pad, 'data');
  const u = winogradInput(gy, grid, 0, 'gradient');
  const tilesAsImage: Geometry = {
    batch: g.batch, cin: g.cin, h: grid.tilesH, w: grid.tilesW, cout: g.cout, ho: grid.tilesH, wo: grid.tilesW, kh: 1, kw: 1, stride: 1, pad: 0,
  };
  const prod = withTemps([v, u], () => wgrad(v, u, tilesAsImage, positions));
  return withTemps([prod], () => winogradFilterGrad(prod, grid.m, g.cout, g.cin));
}

// ------------------------------------------------------------------ column form (few input channels)

/**
 * With fewer than 4 input channels the packed blocks would be mostly padding and every tap a separate
 * pass over the image: use the column form instead (shaders/conv_columns.wgsl), a 1x1 convolution over
 * the (c, ky, kx) windows. Backward-data gains most: its rows become the C kh kw window entries instead of
 * C, so each loaded gradient value feeds 27 products instead of 3.
 */
const useColumns = (g: Geometry): boolean => g.cin < 4 && g.kh * g.kw > 1;

/** The same convolution as a 1x1 one over the columns [N, C kh kw, Ho, Wo]. */
const columnGeometry = (g: Geometry): Geometry => ({
  batch: g.batch, cin: g.cin * g.kh * g.kw, h: g.ho, w: g.wo, cout: g.cout, ho: g.ho, wo: g.wo, kh: 1, kw: 1, stride: 1, pad: 0,
});

function columnsRun(im2col: boolean, src: Tensor, g: Geometry, out: Tensor, blocks: number): void {
  runtime().dispatcher.run({
    shader: 'conv_columns',
    defines: { IM2COL: im2col, STRIDE1: !im2col && g.stride === 1 },
    buffers: [src.buffer, out.buffer],
    ints: [g.cin, g.h, g.w, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, blocks, 0, 0],
    workgroups: im2col ? [Math.ceil((g.ho * g.wo) / 64), g.batch] : [Math.ceil((g.h * g.w) / 64), g.batch * g.cin],
  });
}

/** Packed columns [N][Ho][Wo][C kh kw / 4] of x. */
function im2col(x: Tensor, g: Geometry): Tensor {
  const blocks = Math.ceil((g.cin * g.kh * g.kw) / 4);
  const out = empty([g.batch * g.ho * g.wo * blocks * 4]);
  columnsRun(true, x, g, out, blocks);
  return out;
}

/** dx [N, C, H, W] from the columns' gradient [N, C kh kw, Ho, Wo]. */
function col2im(cols: Tensor, g: Geometry): Tensor {
  const out = empty([g.batch, g.cin, g.h, g.w]);
  columnsRun(false, cols, g, out, 0);
  return out;
}

/** A view of `t` as `shape` that takes over its storage (t is disposed). */
function reshapeOwned(t: Tensor, shape: number[]): Tensor {
  const v = t.view(shape);
  t.dispose();
  return v;
}

// ------------------------------------------------------------------ raw passes (no autodiff)

/** Runs `fn`, then disposes the packed temporaries. */
function withTemps<T>(temps: Tensor[], fn: () => T): T {
  try {
    return fn();
  } finally {
    temps.forEach((t) => t.dispose());
  }
}

function forwardRaw(x: Tensor, w: Tensor, g: Geometry, bias?: Tensor): Tensor {
  if (useDirect(g)) return direct('forward', x, w, g, [g.batch, g.cout, g.ho, g.wo], bias);
  const m = winogradTileFor(g, 'forward');
  if (m) return winogradRaw(m, true, x, w, g, bias);
  if (useColumns(g)) {
    const cg = columnGeometry(g);
    const xp = im2col(x, g);
    const wv = w.view([g.cout, cg.cin, 1, 1]);
    const wp = packWeightsByInput(wv);
    return withTemps([xp, wv, wp], () => gemm(true, xp, wp, cg, bias));
  }
  const xp = packImage(x);
  const wp = packWeightsByInput(w);
  return withTemps([xp, wp], () => gemm(true, xp, wp, g, bias));
}

function backwardDataRaw(gy: Tensor, w: Tensor, g: Geometry): Tensor {
  if (useDirect(g)) return direct('backwardData', gy, w, g, [g.batch, g.cin, g.h, g.w]);
  const m = winogradTileFor(g, 'backwardData');
  if (m) return winogradRaw(m, false, gy, w, g);
  const gp = packImage(gy);
  if (useColumns(g)) {
    // columns [N, C kh kw, Ho, Wo] = a 1x1 convolution of gy with w read as [O, C kh kw] (rows: C kh kw).
    const taps = g.cin * g.kh * g.kw;
    const wv = w.view([g.cout, taps, 1, 1]);
    const wp = packWeightsByOutput(wv);
    const rowsGeo: Geometry = { batch: g.batch, cin: g.cout, h: g.ho, w: g.wo, cout: taps, ho: g.ho, wo: g.wo, kh: 1, kw: 1, stride: 1, pad: 0 };
    const cols = withTemps([gp, wv, wp], () => gemm(true, gp, wp, rowsGeo));
    return withTemps([cols], () => col2im(cols, g));
  }
  const wp = packWeightsByOutput(w);
  return withTemps([gp, wp], () => gemm(false, gp, wp, g));
}

function backwardWeightRaw(x: Tensor, gy: Tensor, g: Geometry): Tensor {
  if (useDirect(g)) return direct('backwardWeight', x, gy, g, [g.cout, g.cin, g.kh, g.kw]);
  const m = winogradTileFor(g, 'backwardWeight');
  if (m) return winogradWeightGradRaw(m, x, gy, g);
  const gp = packImage(gy);
  if (useColumns(g)) {
    const xp = im2col(x, g);
    const dw = withTemps([xp, gp], () => wgrad(xp, gp, columnGeometry(g)));
    return reshapeOwned(dw, [g.cout, g.cin, g.kh, g.kw]);
  }
  const xp = packImage(x);
  return withTemps([xp, gp], () => wgrad(xp, gp, g));
}

// ------------------------------------------------------------------ public ops

function checkF32(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (t.dtype !== 'f32') throw new Error(`${op}: expected f32 tensors, got ${t.dtype} ${fmt(t.shape)}`);
}

function checkGradShape(op: string, gy: Tensor, g: Geometry): void {
  const want = [g.batch, g.cout, g.ho, g.wo];
  if (gy.rank !== 4 || gy.shape.some((d, i) => d !== want[i])) throw new Error(`${op}: output gradient ${fmt(gy.shape)} should be ${fmt(want)}`);
}

/** x [N, C, H, W] * w [O, C, kh, kw] (+ bias [O]) -> [N, O, Ho, Wo]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor, opts: ConvOptions = {}): Tensor {
  const g = geometry('conv2d', x.shape, w.shape, opts);
  checkF32('conv2d', x, w, ...(bias ? [bias] : []));
  if (bias && (bias.rank !== 1 || bias.shape[0] !== g.cout)) throw new Error(`conv2d: bias ${fmt(bias.shape)} does not match weight ${fmt(w.shape)}`);
  const out = forwardRaw(x, w, g, bias);
  return record('conv2d', out, bias ? [x, w, bias] : [x, w], (gy, needs) => [
    needs[0] ? conv2dBackwardData(gy, w, x.shape, opts) : null,
    needs[1] ? conv2dBackwardWeight(x, gy, w.shape, opts) : null,
    needs[2] ? sum(gy, [0, 2, 3]) : null,
  ]);
}

/** dL/dx of conv2d given dL/dy = gy; inputShape is x's shape (not implied by gy when stride > 1). */
export function conv2dBackwardData(gy: Tensor, w: Tensor, inputShape: readonly number[], opts: ConvOptions = {}): Tensor {
  const g = geometry('conv2dBackwardData', inputShape, w.shape, opts);
  checkF32('conv2dBackwardData', gy, w);
  checkGradShape('conv2dBackwardData', gy, g);
  const out = backwardDataRaw(gy, w, g);
  // Linear in gy (its adjoint is conv2d) and in w (the weight gradient of conv2d(out-gradient, .)).
  return record('conv2dBackwardData', out, [gy, w], (u, needs) => [
    needs[0] ? conv2d(u, w, undefined, opts) : null,
    needs[1] ? conv2dBackwardWeight(u, gy, w.shape, opts) : null,
  ]);
}

/** dL/dw of conv2d given its input x and dL/dy = gy. */
export function conv2dBackwardWeight(x: Tensor, gy: Tensor, weightShape: readonly number[], opts: ConvOptions = {}): Tensor {
  const g = geometry('conv2dBackwardWeight', x.shape, weightShape, opts);
  checkF32('conv2dBackwardWeight', x, gy);
  checkGradShape('conv2dBackwardWeight', gy, g);
  const out = backwardWeightRaw(x, gy, g);
  return record('conv2dBackwardWeight', out, [x, gy], (v, needs) => [
    needs[0] ? conv2dBackwardData(gy, v, x.shape, opts) : null,
    needs[1] ? conv2d(x, v, undefined, opts) : null,
  ]);
}

/** Transposed convolution, PyTorch semantics: x [N, Cin, H, W], w [Cin, Cout, kh, kw] -> [N, Cout, Hout, Wout]. */
export function convTranspose2d(x: Tensor, w: Tensor, bias?: Tensor, opts: ConvTransposeOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const outPad = opts.outputPadding ?? 0;
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[0]) {
    throw new Error(`convTranspose2d: expected x [N, Cin, H, W] and weight [Cin, Cout, kh, kw], got ${fmt(x.shape)} and ${fmt(w.shape)}`);
  }
  if (!Number.isInteger(outPad) || outPad < 0 || outPad >= stride) {
    throw new Error(`convTranspose2d: outputPadding ${outPad} must be an integer in [0, stride ${stride})`);
  }
  const [n, , h, wd] = x.shape;
  const [, cout, kh, kw] = w.shape;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new Error(`convTranspose2d: bias ${fmt(bias.shape)} does not match weight ${fmt(w.shape)}`);
  const outShape = [n, cout, (h - 1) * stride - 2 * pad + kh + outPad, (wd - 1) * stride - 2 * pad + kw + outPad];
  if (outShape[2] < 1 || outShape[3] < 1) throw new Error(`convTranspose2d: output ${fmt(outShape)} is empty for x ${fmt(x.shape)} and weight ${fmt(w.shape)}`);
  // The adjoint of conv2d with w read as [O = Cin, C = Cout, kh, kw]: backward-data, whose gradients are
  // conv2d and backward-weight.
  const y = conv2dBackwardData(x, w, outShape, { stride, padding: pad });
  return bias ? add(y, reshape(bias, [1, cout, 1, 1])) : y;
}
