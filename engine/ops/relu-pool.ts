// ReLU followed by 2x2 average pooling, as one op: ConvNet ends every block with this pair, on its largest
// activations, and apart the two cost a full-size pass each way (ReLU writes what pooling reads back;
// pooling's adjoint writes what ReLU's gate reads back). Fused (shaders/relu_pool.wgsl), with x the
// pre-activation:
//   reluAvgPool2d(x)   = pool(relu(x))               backward: gatedAdjoint(g, x)
//   gatedAdjoint(g, x) = pool^T(g) where x > 0       backward: gatedPool(u, x)
//   gatedPool(u, x)    = pool(u where x > 0)         backward: gatedAdjoint(g, x)
// The last two are linear in their first argument and each other's adjoint; the gate is piecewise
// constant (zero derivative), so x is saved, not an input. The three are closed under differentiation,
// as gradient matching's second order needs. Shapes the kernel does not take (width not a multiple of 4,
// odd height) run as relu then avgPool2d.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { relu } from './elementwise.js';
import { avgPool2d } from './pool.js';

const fits = (x: Tensor): boolean => x.rank === 4 && x.dtype === 'f32' && x.shape[3] % 4 === 0 && x.shape[2] % 2 === 0 && x.shape[0] * x.shape[1] <= 65535;

const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

type Mode = 'relu' | 'gated' | 'adjoint';

/** One pass of shaders/relu_pool.wgsl over [N, C, H, W] inputs (H, W: the full-size plane). */
function run(mode: Mode, full: readonly number[], buffers: GPUBuffer[]): void {
  const [n, c, h, w] = full;
  const quads = w / 4;
  const rows = mode === 'adjoint' ? h : h / 2;
  // 64 invocations shaped to the plane: small planes take several per workgroup.
  const wx = Math.min(16, pow2AtLeast(quads));
  const wy = Math.min(64 / wx, pow2AtLeast(rows));
  const wz = 64 / (wx * wy);
  runtime().dispatcher.run({
    shader: 'relu_pool',
    defines: { ADJOINT: mode === 'adjoint', SELF_GATED: mode === 'relu', WG_X: wx, WG_Y: wy, WG_Z: wz },
    buffers,
    ints: [h, quads, n * c, 0],
    workgroups: [Math.ceil(quads / wx), Math.ceil(rows / wy), Math.ceil((n * c) / wz)],
  });
}

const pooledShape = (s: readonly number[]): number[] => [s[0], s[1], s[2] / 2, s[3] / 2];

/** avgPool2d(relu(x), 2): x [N, C, H, W] -> [N, C, H / 2, W / 2]. */
export function reluAvgPool2d(x: Tensor): Tensor {
  if (!fits(x)) {
    if (x.rank !== 4) throw new Error(`reluAvgPool2d: expected an f32 [N, C, H, W] tensor, got ${x.dtype} ${fmt(x.shape)}`);
    return avgPool2d(relu(x), 2);
  }
  const out = empty(pooledShape(x.shape));
  run('relu', x.shape, [x.buffer, out.buffer]);
  return record('reluAvgPool2d', out, [x], (g) => [gatedAdjoint(g, x)]);
}

/** The gradient of reluAvgPool2d: g spread over each window, kept where the pre-activation x > 0. */
function gatedAdjoint(g: Tensor, x: Tensor): Tensor {
  const out = empty(x.shape);
  run('adjoint', x.shape, [g.buffer, x.buffer, out.buffer]);
  return record('reluAvgPool2dBackward', out, [g], (u) => [gatedPool(u, x)], [x]);
}

/** u kept where x > 0, then pooled: the adjoint of gatedAdjoint. */
function gatedPool(u: Tensor, x: Tensor): Tensor {
  const out = empty(pooledShape(x.shape));
  run('gated', x.shape, [u.buffer, x.buffer, out.buffer]);
  return record('gatedAvgPool2d', out, [u], (g) => [gatedAdjoint(g, x)], [x]);
}
