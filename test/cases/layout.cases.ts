// Layout ops against float64 CPU references (index arithmetic written independently of the kernels).
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
const coords = (i: number, s: number[]) => s.map((_, d) => Math.floor(i / strides(s)[d]) % s[d]);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function permuteRef(shape: number[], perm: number[]) {
  const outShape = perm.map((p) => shape[p]);
  return ([x]: Float64Array[]) =>
    Array.from({ length: size(shape) }, (_, i) => {
      const c = coords(i, outShape);
      const src = perm.reduce((o, p, d) => o + c[d] * strides(shape)[p], 0);
      return x[src];
    });
}

function sliceRef(shape: number[], starts: number[], sizes: number[]) {
  return ([x]: Float64Array[]) => Array.from({ length: size(sizes) }, (_, i) => x[coords(i, sizes).reduce((o, c, d) => o + (c + starts[d]) * strides(shape)[d], 0)]);
}

export const layoutCases: TestCase[] = [
  ...([[[2, 3, 4], [2, 0, 1]], [[5, 7], [1, 0]], [[1, 3, 1, 2], [3, 2, 1, 0]], [[2, 3, 4, 5], [0, 2, 3, 1]]] as [number[], number[]][]).map(([shape, perm]) => ({
    name: `permute ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`,
    run: () => checkOp({ name: 'permute', inputs: [{ shape }], gpu: ([x]) => E.permute(x, perm), ref: permuteRef(shape, perm) }),
  })),
  { name: 'transpose [3, 33] 0<->1', run: () => checkOp({ name: 'transpose', inputs: [{ shape: [3, 33] }], gpu: ([x]) => E.transpose(x, 0, -1), ref: permuteRef([3, 33], [1, 0]) }) },
  ...([[[5, 7], [1, 2], [3, 4]], [[2, 3, 4], [0, 1, 1], [2, 2, -1]], [[7], [6], [1]]] as [number[], number[], number[]][]).map(([shape, starts, sizes]) => {
    const real = sizes.map((s, d) => (s === -1 ? shape[d] - starts[d] : s));
    return {
      name: `slice ${JSON.stringify(shape)} at ${JSON.stringify(starts)} size ${JSON.stringify(sizes)}`,
      run: () => checkOp({ name: 'slice', inputs: [{ shape }], gpu: ([x]) => E.slice(x, starts, sizes), ref: sliceRef(shape, starts, real) }),
    };
  }),
  { name: 'narrow [4, 6] axis 1', run: () => checkOp({ name: 'narrow', inputs: [{ shape: [4, 6] }], gpu: ([x]) => E.narrow(x, 1, 2, 3), ref: sliceRef([4, 6], [0, 2], [4, 3]) }) },
  {
    name: 'concat [2,3,2] + [2,1,2] + [2,4,2] on axis 1',
    run: () =>
      checkOp({
        name: 'concat',
        inputs: [{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }, { shape: [2, 4, 2] }],
        gpu: (ts) => E.concat(ts, 1),
        ref: ([a, b, c]) => {
          const out: number[] = [];
          for (let n = 0; n < 2; n++) for (const [t, len] of [[a, 3], [b, 1], [c, 4]] as [Float64Array, number][]) for (let i = 0; i < len * 2; i++) out.push(t[n * len * 2 + i]);
          return out;
        },
      }),
  },
  {
    name: 'stack two [3] on axis 1',
    run: () => checkOp({ name: 'stack', inputs: [{ shape: [3] }, { shape: [3] }], gpu: (ts) => E.stack(ts, 1), ref: ([a, b]) => [a[0], b[0], a[1], b[1], a[2], b[2]] }),
  },
  ...([[[5, 3], [4, 0, 4, 2], 0], [[2, 6, 3], [5, 5, 1], 1], [[3, 7], [6], 1]] as [number[], number[], number][]).map(([shape, ids, axis]) => ({
    name: `gather ${JSON.stringify(shape)} ids ${JSON.stringify(ids)} axis ${axis}`,
    run: () => {
      const outShape = [...shape];
      outShape[axis] = ids.length;
      return checkOp({
        name: 'gather',
        inputs: [{ shape }],
        gpu: ([x]) => E.gather(x, ids, axis),
        ref: ([x]) =>
          Array.from({ length: size(outShape) }, (_, i) => {
            const c = coords(i, outShape);
            c[axis] = ids[c[axis]];
            return x[c.reduce((o, v, d) => o + v * strides(shape)[d], 0)];
          }),
      });
    },
  })),
  {
    name: 'gather rejects an out-of-range id naming it',
    run: async () => {
      const x = E.zeros([3, 2]);
      let msg = '';
      try {
        E.gather(x, [0, 3]);
      } catch (e) {
        msg = (e as Error).message;
      }
      x.dispose();
      if (!msg.includes('id 3') || !msg.includes('length 3')) throw new Error(`unexpected message: ${msg}`);
    },
  },
];
