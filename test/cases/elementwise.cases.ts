// Unary and broadcasting binary ops against float64 CPU references.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

const map = (f: (x: number) => number) => (xs: Float64Array[]) => xs[0].map(f);

const unaries: [string, (t: E.Tensor) => E.Tensor, (x: number) => number, [number, number]?][] = [
  ['neg', E.neg, (x) => -x],
  ['exp', E.exp, Math.exp],
  ['log', E.log, Math.log, [0.2, 3]],
  ['sqrt', E.sqrt, Math.sqrt, [0.2, 3]],
  ['square', E.square, (x) => x * x],
  ['abs', E.abs, Math.abs],
  ['reciprocal', E.reciprocal, (x) => 1 / x, [0.5, 2]],
  ['sigmoid', E.sigmoid, (x) => 1 / (1 + Math.exp(-x)), [-4, 4]],
  ['tanh', E.tanh, Math.tanh, [-3, 3]],
  ['relu', E.relu, (x) => Math.max(x, 0)],
  ['leakyRelu', (t) => E.leakyRelu(t, 0.2), (x) => (x > 0 ? x : 0.2 * x)],
  ['powScalar', (t) => E.powScalar(t, 3), (x) => x ** 3, [0.1, 2]],
  ['addScalar', (t) => E.addScalar(t, 2.5), (x) => x + 2.5],
  ['mulScalar', (t) => E.mulScalar(t, -1.5), (x) => x * -1.5],
  ['clamp', (t) => E.clamp(t, -0.5, 0.5), (x) => Math.min(Math.max(x, -0.5), 0.5)],
];

const shapes = [[1], [7], [3, 33], [2, 3, 5, 7]];

const binaries: [string, (a: E.Tensor, b: E.Tensor) => E.Tensor, (a: number, b: number) => number][] = [
  ['add', E.add, (a, b) => a + b],
  ['sub', E.sub, (a, b) => a - b],
  ['mul', E.mul, (a, b) => a * b],
  ['div', E.div, (a, b) => a / b],
  ['maximum', E.maximum, (a, b) => Math.max(a, b)],
];

/** Reference broadcasting for the CPU side. */
function zip(sa: number[], sb: number[], f: (a: number, b: number) => number) {
  const rank = Math.max(sa.length, sb.length);
  const pa = [...Array(rank - sa.length).fill(1), ...sa];
  const pb = [...Array(rank - sb.length).fill(1), ...sb];
  const so = pa.map((d, i) => Math.max(d, pb[i]));
  return (xs: Float64Array[]) => {
    const n = so.reduce((x, y) => x * y, 1);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let rem = i, ia = 0, ib = 0, sta = 1, stb = 1;
      for (let d = rank - 1; d >= 0; d--) {
        const c = rem % so[d];
        rem = Math.floor(rem / so[d]);
        ia += (pa[d] === 1 ? 0 : c) * sta;
        ib += (pb[d] === 1 ? 0 : c) * stb;
        sta *= pa[d];
        stb *= pb[d];
      }
      out[i] = f(xs[0][ia], xs[1][ib]);
    }
    return out;
  };
}

const pairs: [number[], number[]][] = [
  [[7], [7]],
  [[3, 33], [33]],
  [[2, 3, 5, 7], [3, 1, 1]],
  [[1, 5], [4, 1]],
  [[2, 1, 3], []],
];

export const elementwiseCases: TestCase[] = [
  ...unaries.flatMap(([name, gpu, f, range]) =>
    shapes.map((shape) => ({
      name: `${name} ${JSON.stringify(shape)}`,
      run: () => checkOp({ name, inputs: [{ shape, range }], gpu: ([x]) => gpu(x), ref: map(f) }),
    })),
  ),
  ...binaries.flatMap(([name, gpu, f]) =>
    pairs.map(([sa, sb]) => ({
      name: `${name} ${JSON.stringify(sa)} x ${JSON.stringify(sb)}`,
      run: () =>
        checkOp({
          name,
          inputs: [{ shape: sa }, { shape: sb, range: name === 'div' ? [0.5, 2] as [number, number] : undefined }],
          gpu: ([a, b]) => gpu(a, b),
          ref: zip(sa, sb, f),
        }),
    })),
  ),
];
