// Differentiable image augmentation primitives (NCHW) with per-image parameters: integer translation with
// zero fill, horizontal flip, affine resampling (scale / rotate), and colour / cutout built from
// elementwise ops. Each geometric op is linear in the image, and its backward rule is its adjoint op, so
// gradients flow through augmentation to any order (gradient matching augments real and synthetic images
// with the same parameters and differentiates through the synthetic side).
import { Tensor, empty, grid, tensor } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { add, mul, sub } from './elementwise.js';
import { mean } from './reduce.js';

function checkImages(op: string, x: Tensor, perImage: number, params: ArrayLike<number>): void {
  if (x.rank !== 4) throw new Error(`${op}: expected images [N, C, H, W], got ${fmt(x.shape)}`);
  if (params.length !== x.shape[0] * perImage) {
    throw new Error(`${op}: ${params.length} parameters for ${x.shape[0]} images (need ${perImage} per image)`);
  }
}

function imageKernel(shader: string, x: Tensor, extra: Tensor[], ints: number[], defines: Record<string, boolean> = {}): Tensor {
  const out = empty(x.shape);
  const [n, c, h, w] = x.shape;
  runtime().dispatcher.run({ shader, defines, buffers: [x.buffer, ...extra.map((t) => t.buffer), out.buffer], ints: [n, c, h, w, ...ints], workgroups: grid(out.size) });
  return out;
}

/** Shift image n by (dx, dy) = offsets[2n], offsets[2n+1] pixels; uncovered pixels are 0. */
export function translate(x: Tensor, offsets: Int32Array): Tensor {
  checkImages('translate', x, 2, offsets);
  const off = tensor(offsets, [offsets.length], 'i32');
  return translateBy(x, off, 1);
}

function translateBy(x: Tensor, off: Tensor, sign: number): Tensor {
  const out = imageKernel('translate', x, [off], [sign]);
  return record('translate', out, [x], (g) => [translateBy(g, off, -sign)], [off]);
}

/** Mirror image n left-right where flags[n] != 0. */
export function flipHorizontal(x: Tensor, flags: Int32Array): Tensor {
  checkImages('flipHorizontal', x, 1, flags);
  return flipBy(x, tensor(flags, [flags.length], 'i32'));
}

function flipBy(x: Tensor, flags: Tensor): Tensor {
  const out = imageKernel('flip', x, [flags], []);
  return record('flipHorizontal', out, [x], (g) => [flipBy(g, flags)], [flags]);
}

/** Inverse of the 2x3 affine map [a00 a01 t0; a10 a11 t1]. */
function invertAffine(t: ArrayLike<number>, o: number): number[] {
  const [a, b, tx, c, d, ty] = [t[o], t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5]];
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-8) throw new Error(`affine: the map of image ${o / 6} is singular (determinant ${det})`);
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Resample image n at T(q) = A q + t for every output pixel q, in normalised coordinates ([-1, 1] across
 * the image, pixel centres, like grid_sample with align_corners = false), bilinear with zero padding.
 * theta holds [a00, a01, t0, a10, a11, t1] per image. Scale s: A = I / s; rotation r: A = R(r).
 */
export function affine(x: Tensor, theta: Float32Array): Tensor {
  checkImages('affine', x, 6, theta);
  const inv = new Float32Array(theta.length);
  for (let o = 0; o < theta.length; o += 6) inv.set(invertAffine(theta, o), o);
  return affineBy(x, tensor(theta, [theta.length]), tensor(inv, [inv.length]), false);
}

function affineBy(x: Tensor, theta: Tensor, inv: Tensor, adjoint: boolean): Tensor {
  const out = imageKernel('affine', x, [theta, inv], [], { ADJOINT: adjoint });
  return record(adjoint ? 'affineAdjoint' : 'affine', out, [x], (g) => [affineBy(g, theta, inv, !adjoint)], [theta, inv]);
}

/** Per-image colour jitter: brightness b (added), saturation s and contrast k (scales about the means). */
export function colorJitter(x: Tensor, brightness: Float32Array, saturation: Float32Array, contrast: Float32Array): Tensor {
  for (const [name, v] of [['brightness', brightness], ['saturation', saturation], ['contrast', contrast]] as const) checkImages(`colorJitter ${name}`, x, 1, v);
  const n = x.shape[0];
  const perImage = (v: Float32Array) => tensor(v, [n, 1, 1, 1]);
  let y = add(x, perImage(brightness));
  const grey = mean(y, 1, true);
  y = add(mul(sub(y, grey), perImage(saturation)), grey);
  const level = mean(y, [1, 2, 3], true);
  return add(mul(sub(y, level), perImage(contrast)), level);
}

/** Zero a rectangle [y0, y0 + size) x [x0, x0 + size) of each image (rects: x0, y0 per image; clipped). */
export function cutout(x: Tensor, rects: Int32Array, size: number): Tensor {
  checkImages('cutout', x, 2, rects);
  const [n, , h, w] = x.shape;
  const mask = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++) {
    const x0 = rects[2 * i], y0 = rects[2 * i + 1];
    for (let yy = Math.max(0, y0); yy < Math.min(h, y0 + size); yy++) {
      for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + size); xx++) mask[(i * h + yy) * w + xx] = 0;
    }
  }
  return mul(x, tensor(mask, [n, 1, h, w]));
}
