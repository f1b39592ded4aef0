// Reductions against float64 CPU references: single, several and all axes, keepDims, odd sizes, shapes that
// take one, two and three passes (chunked partials), the workgroup-tree kernel, argmax, and
// sumTo/broadcastTo/reshape. Gradients (and one second-order case) against finite differences.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import { reduceRef, argmaxRef, broadcastRef, type ReduceKind } from '../reference/reduce.js';
import type { TestCase } from './types.js';

const KINDS: ReduceKind[] = ['sum', 'mean', 'max'];

/** [shape, axes (undefined = all), why it is here] */
const configs: [number[], number[] | undefined, string][] = [
  [[7], [0], 'a vector'],
  [[1], undefined, 'one element'],
  [[3, 33], [1], 'rows'],
  [[3, 33], [0], 'columns'],
  [[2, 3, 4, 5], [0, 2, 3], 'bias-gradient pattern (two blocks)'],
  [[2, 3, 4, 5], [1, 3], 'interleaved blocks'],
  [[2, 3, 4, 5], undefined, 'all axes'],
  [[3, 1, 4], [1], 'only a size-1 axis (a copy)'],
  [[3, 1, 7, 1], [0, 2], 'size-1 axes kept'],
  [[33, 3], [1], 'many short rows'],
  [[3, 300], [1], 'few long rows: two passes'],
  [[100, 7], [0], 'few long columns: two passes'],
  [[2, 200, 3], [1], 'middle axis, chunked'],
  [[5000], [0], 'long vector: three passes'],
  [[1100, 3], [0], 'long columns'],
];

const name = (f: string, shape: number[], axes: number[] | undefined) => `${f} ${JSON.stringify(shape)} over ${axes ? JSON.stringify(axes) : 'all'}`;
const allAxes = (shape: number[], axes: number[] | undefined) => axes ?? shape.map((_, i) => i);
const LOOSE = { atol: 1e-4, rtol: 1e-4 }; // f32 sums of thousands of terms

function reduceCase(f: ReduceKind, shape: number[], axes: number[] | undefined, keepDims = false): TestCase {
  return {
    name: `${name(f, shape, axes)}${keepDims ? ' keepDims' : ''}`,
    run: () =>
      checkOp({
        name: name(f, shape, axes),
        inputs: [{ shape }],
        gpu: ([x]) => {
          const y = E[f](x, axes, keepDims);
          const want = keepDims ? shape.map((d, i) => (allAxes(shape, axes).includes(i) ? 1 : d)) : shape.filter((_, i) => !allAxes(shape, axes).includes(i));
          if (JSON.stringify(y.shape) !== JSON.stringify(want)) throw new Error(`${f}: shape ${JSON.stringify(y.shape)}, expected ${JSON.stringify(want)}`);
          return y;
        },
        ref: reduceRef(shape, allAxes(shape, axes), f),
        tol: LOOSE,
      }),
  };
}

/** Run `fn` with the reduction kernels forced to one variant. */
async function withVariant<T>(v: E.ReduceKernelVariant, fn: () => Promise<T>): Promise<T> {
  const before = E.setReduceKernelVariant(v);
  try {
    return await fn();
  } finally {
    E.setReduceKernelVariant(before);
  }
}

async function expectThrow(fn: () => unknown, ...parts: string[]): Promise<void> {
  let msg = '';
  try {
    fn();
  } catch (e) {
    msg = (e as Error).message;
  }
  if (!msg || parts.some((p) => !msg.includes(p))) throw new Error(`expected an error mentioning ${parts.join(', ')}; got '${msg}'`);
}

export const reduceCases: TestCase[] = [
  ...configs.flatMap(([shape, axes]) => KINDS.map((f) => reduceCase(f, shape, axes))),
  reduceCase('sum', [2, 3, 4], [1], true),
  reduceCase('mean', [2, 3, 4], [0, 2], true),
  reduceCase('max', [3, 33], undefined, true),
  {
    name: 'negative axes',
    run: () => checkOp({ name: 'sum -1', inputs: [{ shape: [3, 4, 5] }], gpu: ([x]) => E.sum(x, [-1, 0]), ref: reduceRef([3, 4, 5], [0, 2], 'sum') }),
  },
  ...([
    [[5, 300], [1]],
    [[2, 1100], [1]],
    [[4, 7], [1]],
    [[2, 3, 4, 5], [1, 3]],
    [[3, 40], [0]],
  ] as [number[], number[]][]).flatMap(([shape, axes]) =>
    KINDS.map((f) => {
      const c = reduceCase(f, shape, axes);
      return { name: `tree kernel: ${c.name}`, run: () => withVariant('tree', c.run) };
    }),
  ),
  {
    name: 'max shares the gradient between two tied maxima',
    run: () =>
      checkOp({
        name: 'max ties',
        inputs: [{ shape: [2, 4], data: [0.5, -1, 0.5, 0.25, 3, 2, 1, 0] }],
        gpu: ([x]) => E.max(x, 1),
        ref: reduceRef([2, 4], [1], 'max'),
        fdEps: 1e-3, // central differences at a tie give 1/2 each: the shared gradient
      }),
  },
  {
    name: 'max of -inf is -inf; sum over an empty axis is 0; max over one throws',
    run: async () => {
      const x = E.tensor([-Infinity, -Infinity, -Infinity, 2], [2, 2]);
      const m = await E.max(x, 1).data();
      if (m[0] !== -Infinity || m[1] !== 2) throw new Error(`max of -inf rows: ${Array.from(m)}`);
      const empty = E.zeros([0, 3]);
      const s = await E.sum(empty, 0).data();
      if (s.length !== 3 || s.some((v) => v !== 0)) throw new Error(`sum over an empty axis: ${Array.from(s)}`);
      await expectThrow(() => E.max(empty, 0), 'max', '[0, 3]');
      await expectThrow(() => E.sum(x, 2), 'sum', 'axis 2');
      const ids = E.tensor([1, 2], [2], 'i32');
      await expectThrow(() => E.sum(ids), 'sum', 'i32');
      [x, empty, ids].forEach((t) => t.dispose());
    },
  },
  ...([
    [[4, 7], 1],
    [[5, 3, 2], 1],
    [[5, 3, 2], 0],
    [[1, 300], 1],
    [[33], 0],
  ] as [number[], number][]).map(([shape, axis]) => ({
    name: `argmax ${JSON.stringify(shape)} axis ${axis}`,
    run: () =>
      checkOp({
        name: 'argmax',
        inputs: [{ shape }],
        gpu: ([x]) => {
          const y = E.argmax(x, axis);
          if (y.dtype !== 'i32') throw new Error(`argmax gave ${y.dtype}`);
          return y;
        },
        ref: argmaxRef(shape, axis),
        noGrad: true,
        tol: { atol: 0, rtol: 0 },
      }),
  })),
  {
    name: 'argmax picks the first of tied maxima; keepDims',
    run: async () => {
      const x = E.tensor([1, 3, 3, 0, 2, 2, 2, 2], [2, 4]);
      const y = E.argmax(x, -1, true);
      const v = await y.data();
      if (JSON.stringify(y.shape) !== '[2,1]' || v[0] !== 1 || v[1] !== 0) throw new Error(`argmax ties: ${Array.from(v)} shape ${y.shape}`);
      [x, y].forEach((t) => t.dispose());
    },
  },
  {
    name: 'second order through mean: grad of sum(mean(x, 1)^2), differentiated again',
    run: () =>
      checkOp({
        name: 'mean second order',
        inputs: [{ shape: [3, 5] }],
        gpu: ([x]) => E.grad(E.sum(E.square(E.mean(x, 1))), [x], { createGraph: true })[0],
        ref: ([x]) => {
          // d/dx[i,j] = 2 * mean_i / 5
          const out = new Float64Array(15);
          for (let i = 0; i < 3; i++) {
            let m = 0;
            for (let j = 0; j < 5; j++) m += x[i * 5 + j] / 5;
            for (let j = 0; j < 5; j++) out[i * 5 + j] = (2 * m) / 5;
          }
          return out;
        },
      }),
  },
  {
    name: 'sumTo [2, 3, 4] -> [3, 1]',
    run: () => checkOp({ name: 'sumTo', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.sumTo(x, [3, 1]), ref: reduceRef([2, 3, 4], [0, 2], 'sum') }),
  },
  {
    name: 'sumTo [2, 3, 4] -> [4] (rank drop)',
    run: () => checkOp({ name: 'sumTo rank', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.sumTo(x, [4]), ref: reduceRef([2, 3, 4], [0, 1], 'sum') }),
  },
  {
    name: 'sumTo [7, 1, 3] -> [1, 1, 1]',
    run: () => checkOp({ name: 'sumTo ones', inputs: [{ shape: [7, 1, 3] }], gpu: ([x]) => E.sumTo(x, [1, 1, 1]), ref: reduceRef([7, 1, 3], [0, 1, 2], 'sum') }),
  },
  ...([
    [[3, 1], [2, 3, 4]],
    [[4], [2, 3, 4]],
    [[1], [5]],
    [[1, 7, 1], [3, 7, 33]],
  ] as [number[], number[]][]).map(([from, to]) => ({
    name: `broadcastTo ${JSON.stringify(from)} -> ${JSON.stringify(to)}`,
    run: () => checkOp({ name: 'broadcastTo', inputs: [{ shape: from }], gpu: ([x]) => E.broadcastTo(x, to), ref: broadcastRef(from, to) }),
  })),
  {
    name: 'reshape [2, 6] -> [3, -1] and back through the gradient',
    run: () => checkOp({ name: 'reshape', inputs: [{ shape: [2, 6] }], gpu: ([x]) => E.reshape(x, [3, -1]), ref: ([x]) => x }),
  },
  {
    name: 'shape errors name the op and shapes',
    run: async () => {
      const x = E.zeros([2, 6]);
      await expectThrow(() => E.reshape(x, [5, -1]), 'reshape', '[2, 6]', '[5, -1]');
      await expectThrow(() => E.reshape(x, [-1, -1]), 'reshape');
      await expectThrow(() => E.broadcastTo(x, [3, 6]), 'broadcastTo', '[2, 6]');
      await expectThrow(() => E.sumTo(x, [1, 2, 6]), 'sumTo', '[2, 6]');
      await expectThrow(() => E.argmax(x, 2), 'argmax', 'axis 2');
      x.dispose();
    },
  },
];
