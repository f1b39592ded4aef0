// Reductions over any axes (both kernel variants and the two-stage path), sumTo/broadcastTo/reshape,
// against float64 CPU references.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

function reduceRef(shape: number[], axes: number[], f: 'sum' | 'mean' | 'max') {
  const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keep.map((i) => shape[i]);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(outSize).fill(f === 'max' ? -Infinity : 0);
    const count = axes.reduce((n, a) => n * shape[a], 1);
    for (let i = 0; i < x.length; i++) {
      const c = shape.map((d, k) => Math.floor(i / strides[k]) % d);
      const o = keep.reduce((acc, k) => acc * shape[k] + c[k], 0);
      out[o] = f === 'max' ? Math.max(out[o], x[i]) : out[o] + x[i] / (f === 'mean' ? count : 1);
    }
    return out;
  };
}

const configs: [number[], number[]][] = [
  [[7], [0]],
  [[3, 33], [1]],
  [[3, 33], [0]],
  [[2, 3, 4, 5], [0, 2, 3]],
  [[2, 3, 4, 5], [1, 3]],
  [[2, 3, 4, 5], [0, 1, 2, 3]],
  [[4, 300], [1]],
  [[1100, 3], [0]],
];

export const reduceCases: TestCase[] = [
  ...configs.flatMap(([shape, axes]) =>
    (['sum', 'mean', 'max'] as const).map((f) => ({
      name: `${f} ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`,
      run: () => checkOp({ name: f, inputs: [{ shape }], gpu: ([x]) => E[f](x, axes), ref: reduceRef(shape, axes, f) }),
    })),
  ),
  {
    name: 'sum keepDims [2, 3, 4] over [1]',
    run: () => checkOp({ name: 'sum keepDims', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.reshape(E.sum(x, 1, true), [8]), ref: reduceRef([2, 3, 4], [1], 'sum') }),
  },
  {
    name: 'sumTo [2, 3, 4] -> [3, 1]',
    run: () => checkOp({ name: 'sumTo', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.sumTo(x, [3, 1]), ref: reduceRef([2, 3, 4], [0, 2], 'sum') }),
  },
  {
    name: 'broadcastTo [3, 1] -> [2, 3, 4]',
    run: () =>
      checkOp({
        name: 'broadcastTo',
        inputs: [{ shape: [3, 1] }],
        gpu: ([x]) => E.broadcastTo(x, [2, 3, 4]),
        ref: ([x]) => Array.from({ length: 24 }, (_, i) => x[Math.floor(i / 4) % 3]),
      }),
  },
  {
    name: 'reshape [2, 6] -> [3, -1]',
    run: () => checkOp({ name: 'reshape', inputs: [{ shape: [2, 6] }], gpu: ([x]) => E.reshape(x, [3, -1]), ref: ([x]) => x }),
  },
];
