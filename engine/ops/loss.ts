// Softmax, log-softmax and the losses, built from taped ops so they are differentiable to any order
// (gradient matching differentiates the cross-entropy's parameter gradients). The max subtracted for
// numerical stability is a constant: log-softmax does not change under a shift.
import { Tensor, empty, grid } from '../tensor.js';
import { runtime } from '../runtime.js';
import { noGrad } from '../autodiff.js';
import { fmt, normalizeAxes, shapesEqual } from '../shape.js';
import { abs, addScalar, div, exp, log, mul, neg, sqrt, square, sub } from './elementwise.js';
import { max, mean, reshape, sum } from './reduce.js';

export type Reduction = 'mean' | 'sum' | 'none';

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const [ax] = normalizeAxes(axis, x.rank, 'logSoftmax');
  const shifted = sub(x, noGrad(() => max(x, ax, true)));
  return sub(shifted, log(sum(exp(shifted), ax, true)));
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/** One-hot rows [N, classes] from integer labels [N] (not differentiable). */
export function oneHot(labels: Tensor, classes: number): Tensor {
  if (labels.dtype !== 'i32' || labels.rank !== 1) throw new Error(`oneHot: expected i32 labels [N], got ${labels.dtype} ${fmt(labels.shape)}`);
  const out = empty([labels.shape[0], classes]);
  runtime().dispatcher.run({ shader: 'onehot', buffers: [labels.buffer, out.buffer], ints: [labels.shape[0], classes], workgroups: grid(out.size) });
  return out;
}

function reduce(perSample: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? perSample : reduction === 'sum' ? sum(perSample) : mean(perSample);
}

/** Cross-entropy of logits [N, C] with integer labels [N] (i32) or soft targets [N, C] (f32). */
export function crossEntropy(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (logits.rank !== 2) throw new Error(`crossEntropy: expected logits [N, C], got ${fmt(logits.shape)}`);
  const [n, c] = logits.shape;
  let weights: Tensor;
  if (target.dtype === 'i32') {
    if (target.rank !== 1 || target.shape[0] !== n) throw new Error(`crossEntropy: labels ${fmt(target.shape)} do not match logits ${fmt(logits.shape)}`);
    weights = oneHot(target, c);
  } else {
    if (target.rank !== 2 || target.shape[0] !== n || target.shape[1] !== c) throw new Error(`crossEntropy: soft targets ${fmt(target.shape)} do not match logits ${fmt(logits.shape)}`);
    weights = target;
  }
  return reduce(neg(sum(mul(weights, logSoftmax(logits, 1)), 1)), reduction);
}

/** Pointwise losses compare tensors of one shape (no silent broadcasting of a mistaken target). */
function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (!shapesEqual(a.shape, b.shape)) throw new Error(`${op}: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ`);
}

export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape('mseLoss', a, b);
  return reduce(square(sub(a, b)), reduction);
}

export function l1Loss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape('l1Loss', a, b);
  return reduce(abs(sub(a, b)), reduction);
}

/**
 * Row norms of [rows, k]. A tiny constant under the root keeps the gradient of an all-zero row finite
 * (plain sqrt's would be 0 * inf = NaN; a ReLU-dead channel has exactly zero weight gradient) and changes
 * no norm above ~1e-11.
 */
function rowNorms(x: Tensor): Tensor {
  return sqrt(addScalar(sum(square(x), 1), 1e-24));
}

/**
 * Sum over output channels o of 1 - <a_o, b_o> / (|a_o| |b_o| + 1e-6), for two gradients of shape [O, ...]
 * (the per-output-channel distance of dataset-condensation gradient matching, Zhao et al. 2021).
 */
export function cosineDistancePerChannel(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 1 || !shapesEqual(a.shape, b.shape)) {
    throw new Error(`cosineDistancePerChannel: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ`);
  }
  const rows = a.shape[0];
  const a2 = reshape(a, [rows, -1]);
  const b2 = reshape(b, [rows, -1]);
  const dot = sum(mul(a2, b2), 1);
  const norms = addScalar(mul(rowNorms(a2), rowNorms(b2)), 1e-6);
  return sum(addScalar(neg(div(dot, norms)), 1));
}
