// Group and instance normalisation (NCHW, affine), as PyTorch's GroupNorm / InstanceNorm2d(affine).
// Forward and the first-order backward are fused kernels (shaders/norm.wgsl: one pass per group instead
// of ~10 elementwise passes). When a graph is being recorded (grad with createGraph), the backward rule
// instead differentiates the same function written in taped ops, so higher-order gradients are exact.
import { Tensor, empty, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grad, isGradEnabled, noGrad, record, withGrad } from '../autodiff.js';
import { fmt } from '../shape.js';
import { addScalar, mul, mulScalar, neg, powScalar, square } from './elementwise.js';
import { reshape, sum } from './reduce.js';

/** shaders/norm.wgsl's variants, one object each (the dispatcher keys pipelines by the defines object). */
const NORM_VARIANTS = new Map<string, Record<string, boolean | number>>();
function normDefines(backward: boolean, serial: boolean, vec4: boolean): Record<string, boolean | number> {
  const key = `${+backward}${+serial}${+vec4}`;
  let d = NORM_VARIANTS.get(key);
  if (!d) NORM_VARIANTS.set(key, (d = { BACKWARD: backward, SERIAL: serial, WG: serial ? 64 : 256, VEC4: vec4 }));
  return d;
}
const GRAD2_DEFINES = [{ VEC4: false }, { VEC4: true }];

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
  const count = n * groups;
  const serial = useSerialNorm();
  const wgs = serial ? serialGrid(count) : ([Math.min(count, 65535), Math.ceil(count / 65535)] as [number, number]);
  runtime().dispatcher.run({
    shader: 'norm',
    defines: normDefines(false, serial, (h * w) % 4 === 0),
    // Without affine parameters x stands in for the unused weight/bias bindings.
    buffers: [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, y.buffer, stats.buffer],
    ints: [groups, c, h * w, affine, count],
    floats: [eps],
    workgroups: wgs,
  });
  const inputs = weight && bias ? [x, weight, bias] : [x];
  const geo: NormGeometry = { groups, c, plane: h * w, affine, count, wgs, serial, eps };
  return record(
    'groupNorm',
    y,
    inputs,
    (g, needs) => {
      const { dx, sumGX, sumG } = normBackwardKernel(x, weight, bias, g, stats, geo);
      if (!isGradEnabled()) return [needs[0] ? dx : null, needs[1] ? sum(sumGX, 0) : null, needs[2] ? sum(sumG, 0) : null];
      // Recording (createGraph): the fused kernel's values, each recorded with a rule of its own: the input
      // gradient's second derivative has a fused kernel too; the weight gradient differentiates its composite
      // twin when asked; the bias gradient is a plain sum.
      sumG.dispose();
      return [
        needs[0] ? recordInputGradient(dx, g, x, weight, bias, stats, geo) : (dx.dispose(), null),
        needs[1]
          ? recordLazily('groupNormWeightGrad', noGrad(() => sum(sumGX, 0)), [g, x], () => sum(mul(g, groupNormComposite(x, groups, undefined, undefined, eps)), [0, 2, 3]))
          : null,
        needs[2] ? sum(g, [0, 2, 3]) : null,
      ];
    },
    [stats],
  );
}

/** Tests set this to check the fused second-order kernel against the composite twin. */
let forceCompositeSecondOrder = false;
export function setNormSecondOrderComposite(on: boolean): boolean {
  const before = forceCompositeSecondOrder;
  forceCompositeSecondOrder = on;
  return before;
}

/** One invocation per group in workgroups of 64 (the SERIAL kernels and norm_grad2). */
function serialGrid(count: number): [number, number] {
  return [Math.min(Math.ceil(count / 64), 65535), Math.ceil(count / 64 / 65535)];
}

interface NormGeometry {
  groups: number;
  c: number;
  plane: number;
  affine: number;
  count: number;
  wgs: [number, number];
  serial: boolean;
  eps: number;
}

/** The fused first-order backward (shaders/norm.wgsl): dx, and per-(image, channel) sums of g * xhat and g. */
function normBackwardKernel(x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, g: Tensor, stats: Tensor, geo: NormGeometry) {
  const n = x.shape[0];
  const dx = empty(x.shape);
  const sumGX = empty([n, geo.c]);
  const sumG = empty([n, geo.c]);
  runtime().dispatcher.run({
    shader: 'norm',
    defines: normDefines(true, geo.serial, geo.plane % 4 === 0),
    buffers: [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, g.buffer, stats.buffer, dx.buffer, sumGX.buffer, sumG.buffer],
    ints: [geo.groups, geo.c, geo.plane, geo.affine, geo.count],
    floats: [geo.eps],
    workgroups: geo.wgs,
  });
  return { dx, sumGX, sumG };
}

/**
 * The vector-Jacobian product of `composite()` (a function of `inputs` in taped ops) for the inputs a rule
 * needs: partial derivatives (the inputs are leaves here), recorded when the backward pass is.
 */
function compositeVjp(composite: () => Tensor, inputs: Tensor[], needs: readonly boolean[], u: Tensor): (Tensor | null)[] {
  const wanted = inputs.filter((_, i) => needs[i]);
  const grads = grad(withGrad(composite), wanted, { gradOutput: u, createGraph: isGradEnabled(), allowUnused: true, stopAtInputs: true });
  return inputs.map((t, i) => (needs[i] ? grads[wanted.indexOf(t)] : null));
}

/**
 * `value` (computed by a fused kernel) recorded as a function of `inputs`; its backward rule differentiates
 * `composite()`, the same function in taped ops, built only if someone differentiates through it.
 */
function recordLazily(op: string, value: Tensor, inputs: Tensor[], composite: () => Tensor): Tensor {
  return record(op, value, inputs, (u, needs) => compositeVjp(composite, inputs, needs, u));
}

/**
 * The input gradient dx(g, x, weight) recorded for second order. Its rule, when nothing is being recorded
 * (the usual last backward of gradient matching), is one fused kernel (shaders/norm_grad2.wgsl). With
 * xhat = (x - mean) rstd, gw = g weight, dx = rstd (gw - mean(gw) - xhat mean(gw xhat)) and L = sum(u dx):
 *   dL/dgw = rstd (u - mean(u) - xhat mean(u xhat)) =: t          (dx is that same projection of gw)
 *   dL/dx  = rstd^2 (-xhat (mean(u gw) - mean(u) mean(gw) - 3 mean(gw xhat) mean(u xhat))
 *                    - mean(u xhat) (gw - mean(gw)) - mean(gw xhat) (u - mean(u)))
 * from d rstd/dx_i = -rstd^2 xhat_i / P and d xhat_j/dx_i = rstd (delta_ij - 1/P - xhat_i xhat_j / P) over
 * a group of P values. Recording (third order) falls back to differentiating the composite twin.
 */
function recordInputGradient(dx: Tensor, g: Tensor, x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, stats: Tensor, geo: NormGeometry): Tensor {
  const inputs = weight ? [g, x, weight] : [g, x];
  const composite = () => grad(groupNormComposite(x, geo.groups, weight, bias, geo.eps), [x], { gradOutput: g, createGraph: true })[0];
  return record(
    'groupNormInputGrad',
    dx,
    inputs,
    (u, needs) => {
      if (isGradEnabled() || forceCompositeSecondOrder) return compositeVjp(composite, inputs, needs, u);
      const gg = empty(x.shape);
      const gx = empty(x.shape);
      const sumTG = empty([x.shape[0], geo.c]);
      runtime().dispatcher.run({
        shader: 'norm_grad2',
        defines: GRAD2_DEFINES[+(geo.plane % 4 === 0)],
        buffers: [x.buffer, (weight ?? x).buffer, g.buffer, u.buffer, stats.buffer, gg.buffer, gx.buffer, sumTG.buffer],
        ints: [geo.groups, geo.c, geo.plane, geo.affine, geo.count],
        workgroups: serialGrid(geo.count),
      });
      const dWeight = needs[2] ? sum(sumTG, 0) : null;
      sumTG.dispose();
      return [needs[0] ? gg : (gg.dispose(), null), needs[1] ? gx : (gx.dispose(), null), ...(weight ? [dWeight] : [])];
    },
    [stats, ...(bias ? [bias] : [])],
  );
}

/** Instance norm = group norm with one group per channel (per image, per channel statistics). */
export function instanceNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  if (x.rank !== 4) throw new Error(`instanceNorm: expected [N, C, H, W], got ${fmt(x.shape)}`);
  return groupNorm(x, x.shape[1], weight, bias, eps);
}
