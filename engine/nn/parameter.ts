// Parameters and their initialisation. A parameter is a leaf tensor that requires a gradient and belongs to
// no tidy() scope: it lives until its module is disposed, however deep in a tidy() the module was built.
// Initial values follow PyTorch's defaults and come from the engine's counter-based Random, so a seed gives
// the same network in Node and in Chrome.
import { Tensor, tensor, keep, sizeOf, type Shape } from '../tensor.js';
import { requireGrad } from '../autodiff.js';
import type { Random } from '../ops/random.js';

export function parameter(data: Float32Array, shape: Shape): Tensor {
  return keep(requireGrad(tensor(data, shape)));
}

/**
 * PyTorch's default for conv and linear weights, kaiming_uniform_(a = sqrt(5)): U(-b, b) with
 * b = gain * sqrt(3 / fanIn) and gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), i.e. b = 1 / sqrt(fanIn).
 * Their biases use the same bound, so one function serves both.
 */
export function fanInUniform(rng: Random, shape: Shape, fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return parameter(rng.uniform(sizeOf(shape), -bound, bound), shape);
}

export function constantParameter(shape: Shape, value: number): Tensor {
  return parameter(new Float32Array(sizeOf(shape)).fill(value), shape);
}
