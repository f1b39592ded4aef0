// Average and max pooling (shaders/pool.wgsl). The backward of each is a pooling adjoint kernel recorded
// as an op whose own backward is the forward gather again, so pooling is differentiable to any order.
import { Tensor, empty, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt } from '../shape.js';

interface PoolGeo {
  n: number;
  c: number;
  h: number;
  w: number;
  ho: number;
  wo: number;
  k: number;
  stride: number;
  pad: number;
}

function geometry(op: string, x: Tensor, k: number, stride: number, pad: number): PoolGeo {
  const shape = x.shape;
  if (shape.length !== 4 || x.dtype !== 'f32') throw new Error(`${op}: expected an f32 [N, C, H, W] tensor, got ${x.dtype} ${fmt(shape)}`);
  if (![k, stride].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(pad) || pad < 0 || pad > k / 2) {
    throw new Error(`${op}: need integer kernel >= 1, stride >= 1 and 0 <= padding <= kernel / 2 (got ${k}, ${stride}, ${pad})`);
  }
  const [n, c, h, w] = shape;
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
  if (ho < 1 || wo < 1) throw new Error(`${op}: window ${k} does not fit ${fmt(shape)} with padding ${pad}`);
  return { n, c, h, w, ho, wo, k, stride, pad };
}

type Mode = 'AVG_FWD' | 'AVG_ADJ' | 'MAX_FWD' | 'MAX_ADJ' | 'MAX_GATHER';
const MODES: Record<Mode, Record<string, boolean>> = {
  AVG_FWD: { MAX_FWD: false, USES_IDX: false, ADJOINT: false },
  AVG_ADJ: { MAX_FWD: false, USES_IDX: false, ADJOINT: true },
  MAX_FWD: { MAX_FWD: true, USES_IDX: false, ADJOINT: false },
  MAX_ADJ: { MAX_FWD: false, USES_IDX: true, ADJOINT: true },
  MAX_GATHER: { MAX_FWD: false, USES_IDX: true, ADJOINT: false },
};
const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const TILED = new Map<string, { defines: Record<string, number | boolean>; wg: [number, number, number] }>();

/** avgpool_tiled's variant and 64-invocation workgroup shape for a w x h grid of outputs (or inputs). */
function tiled(adjoint: boolean, k2: boolean, w: number, h: number) {
  const x = Math.min(16, pow2AtLeast(w));
  const y = Math.min(64 / x, pow2AtLeast(h));
  const key = `${+adjoint}${+k2}/${x}/${y}`;
  let t = TILED.get(key);
  if (!t) TILED.set(key, (t = { defines: { ADJOINT: adjoint, K2: k2, WG_X: x, WG_Y: y, WG_Z: 64 / (x * y) }, wg: [x, y, 64 / (x * y)] }));
  return t;
}

/** 2x2 pooling on planes whose width is a multiple of 4 and height even: the vectorised kernel. */
const pairsOfQuads = (g: PoolGeo): boolean => g.k === 2 && g.stride === 2 && g.pad === 0 && g.w % 4 === 0 && g.h % 2 === 0;

function run(mode: Mode, g: PoolGeo, buffers: GPUBuffer[], outElements: number): void {
  const planes = g.n * g.c;
  if ((mode === 'AVG_FWD' || mode === 'AVG_ADJ') && pairsOfQuads(g) && planes <= 65535) {
    const quads = g.w / 4;
    const rows = mode === 'AVG_FWD' ? g.ho : g.h;
    const t = tiled(mode === 'AVG_ADJ', true, quads, rows);
    runtime().dispatcher.run({
      shader: 'avgpool2x2',
      defines: { ADJOINT: mode === 'AVG_ADJ', WG_X: t.wg[0], WG_Y: t.wg[1], WG_Z: t.wg[2] },
      buffers,
      ints: [g.h, quads, planes, 0],
      workgroups: [Math.ceil(quads / t.wg[0]), Math.ceil(rows / t.wg[1]), Math.ceil(planes / t.wg[2])],
    });
    return;
  }
  if ((mode === 'AVG_FWD' || mode === 'AVG_ADJ') && g.k === g.stride && g.pad === 0 && planes <= 65535) {
    // Non-overlapping windows (ConvNet's 2x2 pooling): a division-free kernel on a 3-D grid.
    const [w, h] = mode === 'AVG_FWD' ? [g.wo, g.ho] : [g.w, g.h];
    const t = tiled(mode === 'AVG_ADJ', mode === 'AVG_ADJ' && g.k === 2, w, h);
    runtime().dispatcher.run({
      shader: 'avgpool_tiled',
      defines: t.defines,
      buffers,
      ints: [g.h, g.w, g.ho, g.wo, g.k, planes],
      workgroups: [Math.ceil(w / t.wg[0]), Math.ceil(h / t.wg[1]), Math.ceil(planes / t.wg[2])],
    });
    return;
  }
  runtime().dispatcher.run({
    shader: 'pool',
    defines: MODES[mode],
    buffers,
    ints: [g.n * g.c, g.h, g.w, g.ho, g.wo, g.k, g.stride, g.pad],
    workgroups: grid(outElements),
  });
}

export function avgPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  const g = geometry('avgPool2d', x, kernel, stride, padding);
  const out = empty([g.n, g.c, g.ho, g.wo]);
  run('AVG_FWD', g, [x.buffer, out.buffer], out.size);
  return record('avgPool2d', out, [x], (gy) => [avgPool2dBackward(gy, g)]);
}

/** The adjoint of avgPool2d: spreads each output gradient evenly over its window. */
function avgPool2dBackward(gy: Tensor, g: PoolGeo): Tensor {
  const out = empty([g.n, g.c, g.h, g.w]);
  run('AVG_ADJ', g, [gy.buffer, out.buffer], out.size);
  return record('avgPool2dBackward', out, [gy], (u) => [avgPool2dWith(u, g)]);
}

function avgPool2dWith(x: Tensor, g: PoolGeo): Tensor {
  return avgPool2d(x, g.k, g.stride, g.pad);
}

export function maxPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  const g = geometry('maxPool2d', x, kernel, stride, padding);
  const out = empty([g.n, g.c, g.ho, g.wo]);
  const idx = empty([g.n, g.c, g.ho, g.wo], 'i32');
  run('MAX_FWD', g, [x.buffer, out.buffer, idx.buffer], out.size);
  return record('maxPool2d', out, [x], (gy) => [maxPool2dBackward(gy, idx, g)], [idx]);
}

/** Routes each output gradient to the input that was the window's maximum. */
function maxPool2dBackward(gy: Tensor, idx: Tensor, g: PoolGeo): Tensor {
  const out = empty([g.n, g.c, g.h, g.w]);
  run('MAX_ADJ', g, [gy.buffer, idx.buffer, out.buffer], out.size);
  return record('maxPool2dBackward', out, [gy], (u) => [maxPoolGather(u, idx, g)], [idx]);
}

/** Reads the input at each window's recorded maximum (the adjoint of maxPool2dBackward). */
function maxPoolGather(x: Tensor, idx: Tensor, g: PoolGeo): Tensor {
  const out = empty([g.n, g.c, g.ho, g.wo]);
  run('MAX_GATHER', g, [x.buffer, idx.buffer, out.buffer], out.size);
  return record('maxPoolGather', out, [x], (u) => [maxPool2dBackward(u, idx, g)], [idx]);
}
