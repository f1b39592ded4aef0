// Winograd's minimal filtering for 3x3 stride-1 convolutions, F(m x m, 3 x 3) with m = 2 or 4 (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016). Each (m + 2)^2 input tile d and each 3x3
// filter g are transformed, V = Bt d B and U = G g Gt; the convolution becomes alpha^2 = (m + 2)^2
// independent matrix products over the channels, M[z] = U[z] V[z] (the packed GEMM of conv.ts, stacked on
// its grid's z axis), and each output tile is Y = At M A. Per output pixel that is alpha^2 / m^2 products per
// channel pair instead of 9: 4 for F(2x2) (2.25x fewer), 2.25 for F(4x4) (4x fewer). The transforms are
// additions and a few constant products, bandwidth-bound passes that are cheap next to the GEMM.
//
// This file holds the three transform kernels; conv.ts decides when to use them (forward and
// backward-data, which for stride 1 is a 3x3 correlation with the flipped, transposed filters). The
// transforms' arithmetic is generated unrolled from the matrices below (zero coefficients skipped), four
// channels at a time in vec4s, so the WGSL files hold only indexing.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import type { Defines } from '../shaders.js';

export type WinogradTile = 2 | 4;

interface Matrices {
  /** Bt: alpha x alpha, the input transform. */
  BT: number[][];
  /** G: alpha x 3, the filter transform. */
  G: number[][];
  /** At: m x alpha, the output transform. */
  AT: number[][];
}

/** The transforms for interpolation points 0, +-1 (m = 2) and 0, +-1, +-2 (m = 4), plus the point at infinity. */
export const WINOGRAD_MATRICES: Record<WinogradTile, Matrices> = {
  2: {
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    G: [
      [1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

const range = (n: number): number[] => [...Array(n).keys()];

/** A WGSL float literal for a matrix coefficient. */
const literal = (c: number): string => (Number.isInteger(c) ? `${c}.0` : `${c}`);

/** sum_k coefs[k] * terms[k] as a WGSL expression, skipping zero coefficients. */
function combination(coefs: readonly number[], terms: readonly string[], zero: string): string {
  let expr = '';
  coefs.forEach((c, k) => {
    if (c === 0) return;
    const mag = Math.abs(c) === 1 ? terms[k] : `${terms[k]} * ${literal(Math.abs(c))}`;
    expr += expr === '' ? (c < 0 ? `-${mag}` : mag) : c < 0 ? ` - ${mag}` : ` + ${mag}`;
  });
  return expr || zero;
}

/**
 * WGSL `let`s computing out_i_j = (L in Lt)[i][j] for an n x n input named `${from}_k_l`: first the rows
 * (t = L in), then the columns (out = t Lt).
 */
function sandwich(L: readonly number[][], n: number, from: string, to: string, zero: string): string {
  const lines: string[] = [];
  for (const i of range(L.length)) {
    for (const l of range(n)) lines.push(`  let ${to}t_${i}_${l} = ${combination(L[i], range(n).map((k) => `${from}_${k}_${l}`), zero)};`);
  }
  for (const i of range(L.length)) {
    for (const j of range(L.length)) lines.push(`  let ${to}_${i}_${j} = ${combination(L[j], range(n).map((l) => `${to}t_${i}_${l}`), zero)};`);
  }
  return lines.join('\n');
}

/** Every (i, j) of an n x n tile, row-major: the transform position z = i n + j. */
const cells = (n: number): [number, number][] => range(n * n).map((z) => [Math.floor(z / n), z % n]);

const definesCache = new Map<string, Defines>();
function cached(key: string, make: () => Defines): Defines {
  let d = definesCache.get(key);
  if (!d) definesCache.set(key, (d = make()));
  return d;
}

/** Tiles of m x m output pixels covering [oh, ow], per image and in all. */
export interface TileGrid {
  m: WinogradTile;
  tilesH: number;
  tilesW: number;
  /** Tiles over the whole batch. */
  tiles: number;
  /** Tiles rounded up to a multiple of 4: the GEMM's pixel count (the output transform loads 4 at a time). */
  padded: number;
}

export function tileGrid(m: WinogradTile, batch: number, oh: number, ow: number): TileGrid {
  const tilesH = Math.ceil(oh / m);
  const tilesW = Math.ceil(ow / m);
  const tiles = batch * tilesH * tilesW;
  return { m, tilesH, tilesW, tiles, padded: 4 * Math.ceil(tiles / 4) };
}

const transpose = (A: readonly number[][]): number[][] => A[0].map((_, j) => A.map((row) => row[j]));

/**
 * V [alpha^2][padded tiles][blocks] (vec4) from the source [N, chans, h, w], read in place, per tile of the
 * output grid:
 *   'data'     the (m + 2)^2 window starting `pad` pixels up and left of the tile, V = Bt d B (outside the
 *              image reads as zero): the forward pass's and backward-data's input, backward-weight's x;
 *   'gradient' the tile's own m x m output gradient, V = A g At: backward-weight's "filter". Backward-weight
 *              is the correlation of x with the output gradient, a 3x3 result from an m x m filter, and by
 *              the transposition principle F(3, m) runs on F(m, 3)'s matrices with the roles of A and G
 *              swapped: dW = Gt [(A g At) . (Bt d B)] G.
 */
export function winogradInput(src: Tensor, grid: TileGrid, pad: number, kind: 'data' | 'gradient' = 'data'): Tensor {
  const [, chans, h, w] = src.shape;
  const alpha = grid.m + 2;
  const window = kind === 'data' ? alpha : grid.m;
  const blocks = Math.ceil(chans / 4);
  const out = empty([alpha * alpha * grid.padded * blocks * 4]);
  const { BT, AT } = WINOGRAD_MATRICES[grid.m];
  const whole = chans % 4 === 0;
  const defines = cached(`input ${grid.m} ${kind} ${whole}`, () => ({
    M: grid.m,
    WHOLE_BLOCKS: whole,
    LOADS: cells(window).map(([i, j]) => `  let d_${i}_${j} = load(real, n, y0 + ${i}, x0 + ${j}, cb);`).join('\n'),
    TRANSFORM: sandwich(kind === 'data' ? BT : transpose(AT), window, 'd', 'v', 'vec4f(0.0)'),
    STORES: cells(alpha).map(([i, j], z) => `  V[(${z} * p.padded + t) * p.blocks + cb] = v_${i}_${j};`).join('\n'),
  }));
  runtime().dispatcher.run({
    shader: 'winograd_input',
    defines,
    buffers: [src.buffer, out.buffer],
    ints: [h, w, pad, grid.tilesW, grid.tilesH * grid.tilesW, grid.tiles, grid.padded, blocks, chans, 0, 0, 0],
    workgroups: [Math.ceil((grid.padded * blocks) / 64)],
  });
  return out;
}

/**
 * U [alpha^2][rows][ceil(chans / 4)] (vec4) from 3x3 filters w [O, C, 3, 3]. Forward: rows O, reduced over
 * C. Backward-data (`flipped`): rows C, reduced over O, each filter rotated by 180 degrees.
 */
export function winogradWeights(w: Tensor, m: WinogradTile, flipped: boolean): Tensor {
  const [o, c] = w.shape;
  const [rows, chans, rowStride, chanStride] = flipped ? [c, o, 9, c * 9] : [o, c, c * 9, 9];
  const alpha = m + 2;
  const blocks = Math.ceil(chans / 4);
  const out = empty([alpha * alpha * rows * blocks * 4]);
  const defines = cached(`weights ${m} ${flipped}`, () => ({
    LOADS: cells(3).map(([a, b]) => `  let g_${a}_${b} = load(at, valid, ${flipped ? 8 - (3 * a + b) : 3 * a + b});`).join('\n'),
    TRANSFORM: sandwich(WINOGRAD_MATRICES[m].G, 3, 'g', 'u', 'vec4f(0.0)'),
    STORES: cells(alpha).map(([i, j], z) => `  U[(${z} * p.rows + r) * p.blocks + kb] = u_${i}_${j};`).join('\n'),
  }));
  runtime().dispatcher.run({
    shader: 'winograd_weight',
    defines,
    buffers: [w.buffer, out.buffer],
    ints: [rows, chans, blocks, rowStride, chanStride, 0, 0, 0],
    workgroups: [Math.ceil(rows / 64), blocks],
  });
  return out;
}

const LANES = ['x', 'y', 'z', 'w'];

/** The output transform's stores of tile 4q + c (vector component c) for one variant. */
function outputStores(m: WinogradTile, vector: boolean): string {
  return LANES.map((lane, c) => {
    const rows = range(m).map((i) =>
      vector
        ? `    OUT[(at${c}.x + (at${c}.y + ${i}) * p.w + at${c}.z) / ${m}] = vec${m}f(${range(m).map((j) => `y_${i}_${j}.${lane}`).join(', ')}) + b;`
        : range(m)
            .map((j) => `    if (at${c}.y + ${i} < p.h && at${c}.z + ${j} < p.w) { OUT[at${c}.x + (at${c}.y + ${i}) * p.w + at${c}.z + ${j}] = y_${i}_${j}.${lane} + b; }`)
            .join('\n'),
    );
    return [`  if (4 * q + ${c} < p.tiles) {`, `    let at${c} = origin(4 * q + ${c}, o);`, ...rows, '  }'].join('\n');
  }).join('\n');
}

/**
 * out [N, rows, oh, ow] (+ bias per row) from the products P [alpha^2][rows][padded tiles]: Y = At P A per
 * tile, four tiles per invocation.
 */
export function winogradOutput(prod: Tensor, grid: TileGrid, outShape: readonly number[], bias?: Tensor): Tensor {
  const [, rows, oh, ow] = outShape;
  const alpha = grid.m + 2;
  const out = empty([...outShape]);
  // Whole tiles only: every tile row is then m consecutive, m-aligned floats.
  const vector = oh % grid.m === 0 && ow % grid.m === 0;
  const defines = cached(`output ${grid.m} ${!!bias} ${vector}`, () => ({
    M: grid.m,
    BIAS: !!bias,
    OUT_TYPE: vector ? `vec${grid.m}f` : 'f32',
    LOADS: cells(alpha).map(([i, j], z) => `  let q_${i}_${j} = P[(${z} * p.rows + o) * p.quads + q];`).join('\n'),
    TRANSFORM: sandwich(WINOGRAD_MATRICES[grid.m].AT, alpha, 'q', 'y', 'vec4f(0.0)'),
    STORES: outputStores(grid.m, vector),
  }));
  runtime().dispatcher.run({
    shader: 'winograd_output',
    defines,
    buffers: bias ? [prod.buffer, bias.buffer, out.buffer] : [prod.buffer, out.buffer],
    ints: [rows, oh, ow, grid.tilesW, grid.tilesH * grid.tilesW, grid.tiles, grid.padded / 4, 0],
    workgroups: [Math.ceil(grid.padded / 4 / 64), rows],
  });
  return out;
}

/**
 * dW [rows, cols, 3, 3] from backward-weight's stacked products P [alpha^2][rows][cols]: Gt P G per
 * (row, col) pair (see winogradInput's 'gradient').
 */
export function winogradFilterGrad(prod: Tensor, m: WinogradTile, rows: number, cols: number): Tensor {
  const alpha = m + 2;
  const out = empty([rows, cols, 3, 3]);
  const defines = cached(`filter grad ${m}`, () => ({
    LOADS: cells(alpha).map(([i, j], z) => `  let q_${i}_${j} = P[${z} * p.pairs + k];`).join('\n'),
    TRANSFORM: sandwich(transpose(WINOGRAD_MATRICES[m].G), alpha, 'q', 'y', '0.0'),
    STORES: cells(3).map(([a, b]) => `  OUT[k * 9 + ${3 * a + b}] = y_${a}_${b};`).join('\n'),
  }));
  runtime().dispatcher.run({
    shader: 'winograd_filter_grad',
    defines,
    buffers: [prod.buffer, out.buffer],
    ints: [rows * cols, 0, 0, 0],
    workgroups: [Math.ceil((rows * cols) / 64)],
  });
  return out;
}
