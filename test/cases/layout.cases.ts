// Layout ops against float64 CPU references (test/reference/layout.ts): permute/transpose, slice/narrow/
// split, padTo/pad2d, concat/stack, gather/scatterAdd, forward and VJP, second order through each adjoint
// pair, i32 copies bit for bit, and the error messages.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import { permuteRef, sliceRef, padRef, concatRef, gatherRef, scatterAddRef } from '../reference/layout.js';
import type { TestCase } from './types.js';

const json = (v: unknown) => JSON.stringify(v);

function assert(ok: boolean, msg: string): void {
  if (!ok) throw new Error(msg);
}

function expectThrow(fn: () => unknown, ...parts: string[]): void {
  let msg = '';
  try {
    E.tidy(() => void fn());
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg !== '' && parts.every((p) => msg.includes(p)), `expected an error mentioning ${parts.join(', ')}; got '${msg}'`);
}

/** Gradient of sum(f(x)^2) as a recorded op, so checkOp's VJP differentiates through f's backward rule. */
const gradOfSquares = (f: (x: E.Tensor) => E.Tensor) => (x: E.Tensor) => E.grad(E.sum(E.square(f(x))), [x], { createGraph: true })[0];

/** CPU side of gradOfSquares for a linear f given as a reference: 2 * f^T f x, via the adjoint by brute force. */
function gradOfSquaresRef(n: number, f: (x: Float64Array) => Float64Array) {
  return ([x]: Float64Array[]) => {
    const y = f(x);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const e = new Float64Array(n);
      e[k] = 1;
      const col = f(e); // f is linear: column k of its matrix
      for (let i = 0; i < y.length; i++) out[k] += 2 * y[i] * col[i];
    }
    return out;
  };
}

const permutes: [number[], number[]][] = [
  [[2, 3, 4], [2, 0, 1]],
  [[5, 7], [1, 0]],
  [[1, 3, 1, 2], [3, 2, 1, 0]],
  [[2, 3, 4, 5], [0, 2, 3, 1]],
  [[3, 4, 5], [0, 1, 2]],
  [[2, 1, 3, 2, 3], [4, 0, 3, 1, 2]],
  [[7], [0]],
];

const slices: [number[], number[], number[]][] = [
  [[5, 7], [1, 2], [3, 4]],
  [[2, 3, 4], [0, 1, 1], [2, 2, -1]],
  [[7], [6], [1]],
  [[4, 3, 5], [1, 0, 0], [2, -1, -1]],
  [[3, 33], [0, 5], [3, 27]],
];

const pads: [number[], [number, number, number, number], number][] = [
  [[2, 3, 5, 4], [1, 2, 0, 3], 0],
  [[1, 1, 3, 3], [2, 2, 2, 2], 0.5],
  [[3, 7], [0, 1, 1, 0], -2],
];

const gathers: [number[], number[], number][] = [
  [[5, 3], [4, 0, 4, 2], 0],
  [[2, 6, 3], [5, 5, 1], 1],
  [[3, 7], [6], 1],
  [[2, 3, 4], [3, 0, 0, 1, 2, 3, 3], 2],
  [[33], [32, 0, 16], 0],
];

export const layoutCases: TestCase[] = [
  ...permutes.map(([shape, perm]) => ({
    name: `permute ${json(shape)} by ${json(perm)}`,
    run: () => checkOp({ name: 'permute', inputs: [{ shape }], gpu: ([x]) => E.permute(x, perm), ref: permuteRef(shape, perm) }),
  })),
  { name: 'transpose [3, 33] 0<->-1', run: () => checkOp({ name: 'transpose', inputs: [{ shape: [3, 33] }], gpu: ([x]) => E.transpose(x, 0, -1), ref: permuteRef([3, 33], [1, 0]) }) },
  { name: 'transpose [2, 3, 4] 1<->2', run: () => checkOp({ name: 'transpose3', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.transpose(x, 1, 2), ref: permuteRef([2, 3, 4], [0, 2, 1]) }) },
  ...slices.map(([shape, starts, sizes]) => {
    const real = sizes.map((s, d) => (s === -1 ? shape[d] - starts[d] : s));
    return {
      name: `slice ${json(shape)} at ${json(starts)} size ${json(sizes)}`,
      run: () => checkOp({ name: 'slice', inputs: [{ shape }], gpu: ([x]) => E.slice(x, starts, sizes), ref: sliceRef(shape, starts, real) }),
    };
  }),
  { name: 'narrow [4, 6] axis 1', run: () => checkOp({ name: 'narrow', inputs: [{ shape: [4, 6] }], gpu: ([x]) => E.narrow(x, 1, 2, 3), ref: sliceRef([4, 6], [0, 2], [4, 3]) }) },
  { name: 'narrow [4, 6] axis -2', run: () => checkOp({ name: 'narrow0', inputs: [{ shape: [4, 6] }], gpu: ([x]) => E.narrow(x, -2, 3, 1), ref: sliceRef([4, 6], [3, 0], [1, 6]) }) },
  {
    name: 'split [3, 6, 2] into [2, 1, 3] on axis 1 (middle piece)',
    run: () => checkOp({ name: 'split', inputs: [{ shape: [3, 6, 2] }], gpu: ([x]) => E.split(x, [2, 1, 3], 1)[2], ref: sliceRef([3, 6, 2], [0, 3, 0], [3, 3, 2]) }),
  },
  {
    name: 'split into pieces of 3 (the last shorter); pieces concatenate back',
    run: () =>
      checkOp({
        name: 'split chunks',
        inputs: [{ shape: [7, 2] }],
        gpu: ([x]) => {
          const pieces = E.split(x, 3);
          assert(json(pieces.map((p) => p.shape)) === json([[3, 2], [3, 2], [1, 2]]), `split shapes ${json(pieces.map((p) => p.shape))}`);
          return E.concat(pieces.reverse(), 0);
        },
        ref: ([x]) => Float64Array.from([...x.slice(12), ...x.slice(6, 12), ...x.slice(0, 6)]),
      }),
  },
  {
    name: 'padTo [2, 3] into [4, 5] at [1, 2]',
    run: () => checkOp({ name: 'padTo', inputs: [{ shape: [2, 3] }], gpu: ([x]) => E.padTo(x, [4, 5], [1, 2]), ref: padRef([2, 3], [4, 5], [1, 2]) }),
  },
  {
    name: 'padTo [2, 3, 4] into [2, 5, 4] (full axes merged)',
    run: () => checkOp({ name: 'padTo full', inputs: [{ shape: [2, 3, 4] }], gpu: ([x]) => E.padTo(x, [2, 5, 4], [0, 1, 0], 9), ref: padRef([2, 3, 4], [2, 5, 4], [0, 1, 0], 9) }),
  },
  ...pads.map(([shape, [t, b, l, r], value]) => {
    const to = shape.map((s, d) => (d === shape.length - 2 ? s + t + b : d === shape.length - 1 ? s + l + r : s));
    const starts = shape.map((_, d) => (d === shape.length - 2 ? t : d === shape.length - 1 ? l : 0));
    return {
      name: `pad2d ${json(shape)} by ${json([t, b, l, r])} with ${value}`,
      run: () => checkOp({ name: 'pad2d', inputs: [{ shape }], gpu: ([x]) => E.pad2d(x, [t, b, l, r], value), ref: padRef(shape, to, starts, value) }),
    };
  }),
  {
    name: 'concat [2,3,2] + [2,1,2] + [2,4,2] on axis 1',
    run: () =>
      checkOp({
        name: 'concat',
        inputs: [{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }, { shape: [2, 4, 2] }],
        gpu: (ts) => E.concat(ts, 1),
        ref: concatRef([[2, 3, 2], [2, 1, 2], [2, 4, 2]], 1),
      }),
  },
  {
    name: 'concat [1, 3] + [3, 3] on axis 0, [3, 1] + [3, 7] on axis -1',
    run: async () => {
      await checkOp({ name: 'concat0', inputs: [{ shape: [1, 3] }, { shape: [3, 3] }], gpu: (ts) => E.concat(ts, 0), ref: concatRef([[1, 3], [3, 3]], 0) });
      return checkOp({ name: 'concat-1', inputs: [{ shape: [3, 1] }, { shape: [3, 7] }], gpu: (ts) => E.concat(ts, -1), ref: concatRef([[3, 1], [3, 7]], 1) });
    },
  },
  {
    name: 'concat where only the second input needs a gradient',
    run: () =>
      checkOp({
        name: 'concat one grad',
        inputs: [{ shape: [2, 2], grad: false }, { shape: [2, 3] }],
        gpu: (ts) => E.concat(ts, 1),
        ref: concatRef([[2, 2], [2, 3]], 1),
      }),
  },
  {
    name: 'stack two [3] on axis 1, three [2, 2] on axis 0 and -1',
    run: async () => {
      await checkOp({ name: 'stack', inputs: [{ shape: [3] }, { shape: [3] }], gpu: (ts) => E.stack(ts, 1), ref: ([a, b]) => Float64Array.from([a[0], b[0], a[1], b[1], a[2], b[2]]) });
      await checkOp({ name: 'stack0', inputs: [{ shape: [2, 2] }, { shape: [2, 2] }, { shape: [2, 2] }], gpu: (ts) => E.stack(ts, 0), ref: concatRef([[1, 2, 2], [1, 2, 2], [1, 2, 2]], 0) });
      return checkOp({
        name: 'stack-1',
        inputs: [{ shape: [2, 2] }, { shape: [2, 2] }, { shape: [2, 2] }],
        gpu: (ts) => E.stack(ts, -1),
        ref: (xs) => Float64Array.from({ length: 12 }, (_, i) => xs[i % 3][Math.floor(i / 3)]),
      });
    },
  },
  ...gathers.map(([shape, ids, axis]) => ({
    name: `gather ${json(shape)} ids ${json(ids)} axis ${axis}`,
    run: () => checkOp({ name: 'gather', inputs: [{ shape }], gpu: ([x]) => E.gather(x, ids, axis), ref: gatherRef(shape, ids, axis) }),
  })),
  {
    name: 'gather with ids already on the GPU (an i32 tensor input)',
    run: () =>
      checkOp({
        name: 'gather gpu ids',
        inputs: [{ shape: [4, 3] }, { shape: [5], int: true, data: [3, 1, 1, 0, 3] }],
        gpu: ([x, ids]) => E.gather(x, ids, 0),
        ref: gatherRef([4, 3], [3, 1, 1, 0, 3], 0),
      }),
  },
  ...([
    [[4, 3], [2, 2, 0, 2], 0, 5],
    [[2, 3, 2], [0, 0, 0], 1, 2],
    [[3, 4], [1, 3, 1, 0], 1, 4],
  ] as [number[], number[], number, number][]).map(([shape, ids, axis, rows]) => ({
    name: `scatterAdd ${json(shape)} ids ${json(ids)} axis ${axis} into ${rows} rows`,
    run: () => checkOp({ name: 'scatterAdd', inputs: [{ shape }], gpu: ([g]) => E.scatterAdd(g, ids, axis, rows), ref: scatterAddRef(shape, ids, axis, rows) }),
  })),
  {
    name: 'scatterAdd with ids on the GPU: out-of-range ids are clamped (as gather does)',
    run: () => {
      const ids = [3, -1, 0, 5, 3, 2];
      return checkOp({
        name: 'scatterAdd gpu ids',
        inputs: [{ shape: [2, 6, 3] }, { shape: [6], int: true, data: ids }],
        gpu: ([g, idT]) => E.scatterAdd(g, idT, 1, 4),
        ref: scatterAddRef([2, 6, 3], ids.map((v) => Math.min(Math.max(v, 0), 3)), 1, 4),
      });
    },
  },
  {
    name: 'scatterAdd of 200 random ids into 13 rows (long lists per row)',
    run: () => {
      const ids = Array.from(new E.Random(4).integers(200, 0, 13));
      return checkOp({ name: 'scatterAdd many', inputs: [{ shape: [200, 2] }], gpu: ([g]) => E.scatterAdd(g, ids, 0, 13), ref: scatterAddRef([200, 2], ids, 0, 13) });
    },
  },
  {
    name: 'rows longer than one invocation\'s run (several chunks per row): permute, slice, pad2d, concat',
    run: async () => {
      await checkOp({ name: 'permute long', inputs: [{ shape: [70, 2] }], gpu: ([x]) => E.permute(x, [1, 0]), ref: permuteRef([70, 2], [1, 0]) });
      await checkOp({ name: 'slice long', inputs: [{ shape: [2, 70] }], gpu: ([x]) => E.slice(x, [1, 1], [1, 69]), ref: sliceRef([2, 70], [1, 1], [1, 69]) });
      await checkOp({ name: 'pad long', inputs: [{ shape: [1, 2, 2, 40] }], gpu: ([x]) => E.pad2d(x, [1, 0, 3, 30], 0.25), ref: padRef([1, 2, 2, 40], [1, 2, 3, 73], [0, 0, 1, 3], 0.25) });
      return checkOp({ name: 'concat long', inputs: [{ shape: [2, 40] }, { shape: [2, 33] }], gpu: (ts) => E.concat(ts, 1), ref: concatRef([[2, 40], [2, 33]], 1) });
    },
  },
  {
    name: 'rank 0: slice and padTo of a scalar',
    run: async () => {
      const x = E.scalar(3);
      const y = E.padTo(E.slice(x, [], []), [], []);
      const v = await y.item();
      [x, y].forEach((t) => t.dispose());
      assert(v === 3 && y.rank === 0, `rank-0 slice/pad gave ${v}`);
    },
  },
  {
    name: 'second order through gather <-> scatterAdd',
    run: () => {
      const ids = [2, 0, 2, 2];
      return checkOp({
        name: 'gather 2nd',
        inputs: [{ shape: [3, 2] }],
        gpu: ([x]) => gradOfSquares((t) => E.gather(t, ids, 0))(x),
        ref: gradOfSquaresRef(6, (x) => gatherRef([3, 2], ids, 0)([x])),
      });
    },
  },
  {
    name: 'second order through slice <-> padTo and permute',
    run: () =>
      checkOp({
        name: 'slice 2nd',
        inputs: [{ shape: [3, 4] }],
        gpu: ([x]) => gradOfSquares((t) => E.permute(E.slice(t, [1, 1], [2, 3]), [1, 0]))(x),
        ref: gradOfSquaresRef(12, (x) => permuteRef([2, 3], [1, 0])([sliceRef([3, 4], [1, 1], [2, 3])([x])])),
      }),
  },
  {
    name: 'second order through pad2d and concat',
    run: () =>
      checkOp({
        name: 'pad 2nd',
        inputs: [{ shape: [1, 1, 2, 2] }],
        gpu: ([x]) => gradOfSquares((t) => E.concat([E.pad2d(t, [1, 0, 0, 0], 3), t], 2))(x),
        ref: ([x]) => {
          // f(x) = concat(pad(x, value 3), x): y = A x + c, d/dx sum(y^2) = 2 A^T (A x + c)
          const lin = (v: Float64Array, c: number) => concatRef([[1, 1, 3, 2], [1, 1, 2, 2]], 2)([padRef([1, 1, 2, 2], [1, 1, 3, 2], [0, 0, 1, 0], c)([v]), v]);
          const y = lin(x, 3);
          return Float64Array.from({ length: 4 }, (_, k) => {
            const e = new Float64Array(4);
            e[k] = 1;
            const col = lin(e, 0);
            return col.reduce((s, a, i) => s + 2 * y[i] * a, 0);
          });
        },
      }),
  },
  {
    name: 'i32 tensors are copied bit for bit (permute, slice, concat, gather, pad2d)',
    run: async () => {
      const vals = [0, -1, 2147483647, -2147483648, 7, -5];
      const x = E.tensor(Int32Array.from(vals), [2, 3], 'i32');
      const read = async (t: E.Tensor) => {
        assert(t.dtype === 'i32', `${t} is not i32`);
        return Array.from(await t.data());
      };
      const results = E.tidy(() => [E.permute(x, [1, 0]), E.slice(x, [1, 1], [1, 2]), E.concat([x, x], 0), E.gather(x, [1], 0), E.pad2d(x, [0, 0, 1, 0], 4)]);
      const got = [];
      for (const t of results) got.push(await read(t));
      const want = [[0, -2147483648, -1, 7, 2147483647, -5], [7, -5], [...vals, ...vals], [-2147483648, 7, -5], [4, 0, -1, 2147483647, 4, -2147483648, 7, -5]];
      [...results, x].forEach((t) => t.dispose());
      assert(json(got) === json(want), `i32 layout results ${json(got)}, expected ${json(want)}`);
      return { i32: got.flat() };
    },
  },
  {
    name: 'ids on the GPU are clamped to the axis',
    run: async () => {
      const x = E.tensor([10, 11, 12], [3]);
      const ids = E.tensor(Int32Array.from([5, -1, 1]), [3], 'i32');
      const y = E.gather(x, ids);
      const v = Array.from(await y.data());
      [x, ids, y].forEach((t) => t.dispose());
      assert(json(v) === json([12, 10, 11]), `clamped gather ${json(v)}`);
    },
  },
  {
    name: 'empty slices and pieces',
    run: async () => {
      const x = E.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const [e, rest] = E.split(x, [0, 3], 1);
      const p = E.padTo(e, [2, 2], [0, 1], 8);
      assert(e.size === 0 && json(e.shape) === json([2, 0]), `empty piece ${e.shape}`);
      const pv = Array.from(await p.data());
      const rv = Array.from(await rest.data());
      [x, e, rest, p].forEach((t) => t.dispose());
      assert(json(pv) === json([8, 8, 8, 8]) && json(rv) === json([1, 2, 3, 4, 5, 6]), `padding an empty tensor: ${pv}; rest ${rv}`);
    },
  },
  {
    name: 'errors name the op, the shapes and the bad argument',
    run: async () => {
      const x = E.zeros([3, 2]);
      expectThrow(() => E.gather(x, [0, 3]), 'gather', 'id 3', 'length 3');
      expectThrow(() => E.gather(x, [0.5]), 'gather', 'id 0.5');
      expectThrow(() => E.gather(x, E.zeros([2])), 'gather', 'i32');
      expectThrow(() => E.scatterAdd(x, [0, 1], 0, 4), 'scatterAdd', '2 ids', '[3, 2]');
      expectThrow(() => E.scatterAdd(x, [0, 1, 4], 0, 4), 'scatterAdd', 'id 4');
      expectThrow(() => E.permute(x, [0, 0]), 'permute', '[3, 2]');
      expectThrow(() => E.transpose(x, 0, 2), 'transpose', 'axis 2');
      expectThrow(() => E.slice(x, [2, 0], [2, 1]), 'slice', '[3, 2]');
      expectThrow(() => E.slice(x, [0], [1]), 'slice', '[3, 2]');
      expectThrow(() => E.narrow(x, 1, 1, 2), 'slice', '[3, 2]');
      expectThrow(() => E.split(x, [1, 1], 0), 'split', '[3, 2]');
      expectThrow(() => E.concat([x, E.zeros([2, 3])], 0), 'concat', '[2, 3]', '[3, 2]');
      expectThrow(() => E.concat([x, E.tensor(Int32Array.from([1, 2]), [1, 2], 'i32')], 0), 'concat', 'i32');
      expectThrow(() => E.concat([], 0), 'concat');
      expectThrow(() => E.stack([x, E.zeros([3, 3])], 0), 'stack', '[3, 3]');
      expectThrow(() => E.pad2d(x, [1, -1, 0, 0]), 'pad2d', '[3, 2]');
      expectThrow(() => E.pad2d(E.zeros([4]), [1, 1, 1, 1]), 'pad2d', '[4]');
      expectThrow(() => E.padTo(x, [3, 3], [0, 2]), 'padTo', '[3, 2]', '[3, 3]');
      x.dispose();
    },
  },
];
