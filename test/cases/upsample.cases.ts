// Nearest and bilinear resizing against a float64 CPU reference of PyTorch's rules (source coordinates
// computed in float32 like PyTorch, so nearest picks the same pixels).
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

const f = Math.fround;

function taps(d: number, inSize: number, outSize: number, kind: 'nearest' | 'bilinear', align: boolean): [number, number][] {
  if (kind === 'nearest') return [[Math.min(Math.floor(f(d * f(inSize / outSize))), inSize - 1), 1]];
  const s = align ? (outSize > 1 ? (d * (inSize - 1)) / (outSize - 1) : 0) : Math.max((d + 0.5) * (inSize / outSize) - 0.5, 0);
  const i0 = Math.min(Math.floor(s), inSize - 1), i1 = Math.min(i0 + 1, inSize - 1), l = s - i0;
  return [[i0, 1 - l], [i1, l]];
}

function resizeRef(shape: number[], size: [number, number], kind: 'nearest' | 'bilinear', align: boolean) {
  const [n, c, h, w] = shape;
  const [ho, wo] = size;
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(n * c * ho * wo);
    for (let pl = 0; pl < n * c; pl++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
      let s = 0;
      for (const [iy, wy] of taps(oy, h, ho, kind, align)) for (const [ix, wx] of taps(ox, w, wo, kind, align)) s += wy * wx * x[pl * h * w + iy * w + ix];
      out[(pl * ho + oy) * wo + ox] = s;
    }
    return out;
  };
}

const configs: [number[], [number, number]][] = [
  [[1, 2, 4, 4], [8, 8]],
  [[2, 1, 3, 5], [7, 4]],
  [[1, 3, 1, 1], [3, 2]],
  [[1, 1, 6, 6], [4, 3]],
];

export const upsampleCases: TestCase[] = configs.flatMap(([shape, size]) => [
  {
    name: `upsampleNearest ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`,
    run: () => checkOp({ name: 'nearest', inputs: [{ shape }], gpu: ([x]) => E.upsampleNearest(x, size), ref: resizeRef(shape, size, 'nearest', false) }),
  },
  {
    name: `upsampleBilinear ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`,
    run: () => checkOp({ name: 'bilinear', inputs: [{ shape }], gpu: ([x]) => E.upsampleBilinear(x, size), ref: resizeRef(shape, size, 'bilinear', false) }),
  },
  {
    name: `upsampleBilinear alignCorners ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`,
    run: () => checkOp({ name: 'bilinear-ac', inputs: [{ shape }], gpu: ([x]) => E.upsampleBilinear(x, size, true), ref: resizeRef(shape, size, 'bilinear', true) }),
  },
]);
