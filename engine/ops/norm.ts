// Group and instance normalisation (NCHW, affine), as PyTorch's GroupNorm / InstanceNorm2d(affine).
// Forward and the first-order backward are fused kernels (shaders/norm.wgsl: one pass per group instead
// of ~10 elementwise passes). When a graph is being recorded (grad with createGraph), the backward rule
// instead differentiates the same function written in taped ops, so higher-order gradients are exact.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { grad, isGradEnabled, record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { add, mul, powScalar, addScalar, square, sub } from './elementwise.js';
import { mean, reshape, sum } from './reduce.js';

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
  if (x.rank !== 4) throw new Error(`${op}: expected [N, C, H, W], got ${fmt(x.shape)}`);
  const c = x.shape[1];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) throw new Error(`${op}: ${c} channels cannot be split into ${groups} groups`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) throw new Error(`${op}: ${name} ${fmt(t.shape)} should be [${c}]`);
  }
  if (!!weight !== !!bias) throw new Error(`${op}: give both weight and bias, or neither`);
}

/** The same function in taped ops: slow, but every derivative of it is recorded. */
function groupNormComposite(x: Tensor, groups: number, weight: Tensor | undefined, bias: Tensor | undefined, eps: number): Tensor {
  const [n, c] = x.shape;
  const xr = reshape(x, [n, groups, -1]);
  const centred = sub(xr, mean(xr, 2, true));
  const rstd = powScalar(addScalar(mean(square(centred), 2, true), eps), -0.5);
  const y = reshape(mul(centred, rstd), x.shape);
  return weight && bias ? add(mul(y, reshape(weight, [1, c, 1, 1])), reshape(bias, [1, c, 1, 1])) : y;
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
