// Group and instance normalisation (NCHW, affine), as PyTorch's GroupNorm / InstanceNorm2d(affine).
// Forward and the first-order backward are fused kernels (shaders/norm.wgsl: one pass per group instead
// of ~10 elementwise passes). When a graph is being recorded (grad with createGraph), the backward rule
// instead differentiates the same function written in taped ops, so higher-order gradients are exact.
import { Tensor, empty, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grad, isGradEnabled, noGrad, record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { addScalar, mul, mulScalar, neg, powScalar, square } from './elementwise.js';
import { reshape, sum } from './reduce.js';

const SERIAL_FWD = { BACKWARD: false, SERIAL: true, WG: 64 };
const SERIAL_BWD = { BACKWARD: true, SERIAL: true, WG: 64 };
const TREE_FWD = { BACKWARD: false, SERIAL: false, WG: 256 };
const TREE_BWD = { BACKWARD: true, SERIAL: false, WG: 256 };

export type NormKernelVariant = 'auto' | 'serial' | 'tree';
let variant: NormKernelVariant = 'auto';

/** Pick the norm kernels' layout ('auto': by adapter); returns the previous choice. Tests run both. */
export function setNormKernelVariant(v: NormKernelVariant): NormKernelVariant {
  const before = variant;
  variant = v;
  return before;
}

/** Serial per-group loops on CPU adapters, where workgroup barriers are expensive; trees elsewhere. */
function useSerialNorm(): boolean {
  if (variant !== 'auto') return variant === 'serial';
  const a = runtime().info.adapterInfo;
  return /llvmpipe|lavapipe|swiftshader|software/i.test(`${a.description} ${a.device} ${a.vendor} ${a.architecture}`);
}

function check(op: string, x: Tensor, groups: number, weight?: Tensor, bias?: Tensor): void {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`${op}: expected an f32 [N, C, H, W] tensor, got ${x.dtype} ${fmt(x.shape)}`);
  const c = x.shape[1];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) throw new Error(`${op}: ${c} channels cannot be split into ${groups} groups`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) throw new Error(`${op}: ${name} ${fmt(t.shape)} should be [${c}]`);
  }
  if (!!weight !== !!bias) throw new Error(`${op}: give both weight and bias, or neither`);
}

// ------------------------------------------------------------------ recorded twin (higher order)
// Two small differentiable ops over [rows, cols] matrices keep the twin fast: broadcasting binary ops
// decode every index axis by axis, several times slower than these on CPU adapters.

const ROW_DEFINES = new Map<string, Record<string, boolean>>();
function rowDefines(x: boolean, a: boolean, b: boolean): Record<string, boolean> {
  const key = `${+x}${+a}${+b}`;
  let d = ROW_DEFINES.get(key);
  if (!d) ROW_DEFINES.set(key, (d = { HAS_X: x, HAS_A: a, HAS_B: b }));
  return d;
}

/** Sum (over a row block that repeats every `period` rows) of a per-row vector [rows] -> [period]. */
function foldRows(v: Tensor, period: number): Tensor {
  return v.size === period ? v : sum(reshape(v, [v.size / period, period]), 0);
}

/**
 * y[r, k] = x[r, k] * a[r % period] + b[r % period] on [rows, cols] (x missing: 0; a missing: 1; b
 * missing: 0). Linear in each operand, so its backward is this op and rowSums again.
 */
function rowAffine(x: Tensor | null, a: Tensor | null, b: Tensor | null, rows: number, cols: number, period: number): Tensor {
  const present = [x, a, b].filter((t): t is Tensor => t !== null);
  const out = empty([rows, cols]);
  runtime().dispatcher.run({
    shader: 'norm_rows',
    defines: rowDefines(!!x, !!a, !!b),
    buffers: [(x ?? present[0]).buffer, (a ?? present[0]).buffer, (b ?? present[0]).buffer, out.buffer],
    ints: [rows, cols, period],
    workgroups: grid(out.size),
  });
  return record('rowAffine', out, present, (g, needs) => {
    const grads = new Map<Tensor, Tensor>();
    const need = (t: Tensor | null) => t !== null && needs[present.indexOf(t)];
    if (x && need(x)) grads.set(x, a ? rowAffine(g, a, null, rows, cols, period) : g);
    if (a && need(a)) grads.set(a, foldRows(rowSums(x ? mul(g, x) : g), period));
    if (b && need(b)) grads.set(b, foldRows(rowSums(g), period));
    return present.map((t) => grads.get(t) ?? null);
  });
}

/** Sums of the rows of [rows, cols] -> [rows]; the backward spreads each row's gradient over its row. */
function rowSums(x: Tensor): Tensor {
  const [rows, cols] = x.shape;
  const out = noGrad(() => sum(x, 1));
  return record('rowSums', out, [x], (g) => [rowAffine(null, null, g, rows, cols, rows)]);
}

/** The same function as groupNorm in taped ops: every derivative of it is recorded. */
function groupNormComposite(x: Tensor, groups: number, weight: Tensor | undefined, bias: Tensor | undefined, eps: number): Tensor {
  const [n, c, h, w] = x.shape;
  const rows = n * groups;
  const cols = x.size / rows;
  const xr = reshape(x, [rows, cols]);
  const mean = mulScalar(rowSums(xr), 1 / cols);
  const centred = rowAffine(xr, null, neg(mean), rows, cols, rows);
  const rstd = powScalar(addScalar(mulScalar(rowSums(square(centred)), 1 / cols), eps), -0.5);
  const xhat = rowAffine(centred, rstd, null, rows, cols, rows);
  const y = weight && bias ? rowAffine(reshape(xhat, [n * c, h * w]), weight, bias, n * c, h * w, c) : xhat;
  return reshape(y, x.shape);
}

export function groupNorm(x: Tensor, groups: number, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  check('groupNorm', x, groups, weight, bias);
  const [n, c, h, w] = x.shape;
  const y = empty(x.shape);
  const stats = empty([n * groups, 2]);
  const affine = weight && bias ? 1 : 0;
  const rt = runtime();
  const count = n * groups;
  const serial = useSerialNorm();
  const defs = (backward: boolean) => (serial ? (backward ? SERIAL_BWD : SERIAL_FWD) : backward ? TREE_BWD : TREE_FWD);
  const wgs: [number, number] = serial ? [Math.min(Math.ceil(count / 64), 65535), Math.ceil(count / 64 / 65535)] : [Math.min(count, 65535), Math.ceil(count / 65535)];
  rt.dispatcher.run({
    shader: 'norm',
    defines: defs(false),
    // Without affine parameters x stands in for the unused weight/bias bindings.
    buffers: [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, y.buffer, stats.buffer],
    ints: [groups, c, h * w, affine, count],
    floats: [eps],
    workgroups: wgs,
  });
  const inputs = weight && bias ? [x, weight, bias] : [x];
  return record(
    'groupNorm',
    y,
    inputs,
    (g, needs) => {
      if (isGradEnabled()) {
        // Recording (createGraph): the exact gradient of the composite twin, itself differentiable.
        const wanted = inputs.filter((_, i) => needs[i]);
        const grads = grad(groupNormComposite(x, groups, weight, bias, eps), wanted, { gradOutput: g, createGraph: true });
        return inputs.map((t) => (needs[inputs.indexOf(t)] ? grads[wanted.indexOf(t)] : null));
      }
      const dx = empty(x.shape);
      const sumGX = empty([n, c]);
      const sumG = empty([n, c]);
      rt.dispatcher.run({
        shader: 'norm',
        defines: defs(true),
        buffers: [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, g.buffer, stats.buffer, dx.buffer, sumGX.buffer, sumG.buffer],
        ints: [groups, c, h * w, affine, count],
        floats: [eps],
        workgroups: wgs,
      });
      return [needs[0] ? dx : null, needs[1] ? sum(sumGX, 0) : null, needs[2] ? sum(sumG, 0) : null];
    },
    [stats],
  );
}

/** Instance norm = group norm with one group per channel (per image, per channel statistics). */
export function instanceNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  if (x.rank !== 4) throw new Error(`instanceNorm: expected [N, C, H, W], got ${fmt(x.shape)}`);
  return groupNorm(x, x.shape[1], weight, bias, eps);
}
