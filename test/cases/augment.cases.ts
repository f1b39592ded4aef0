// Augmentation primitives against float64 CPU references; the VJP checks cover the adjoint kernels.
import * as E from '../../engine/index.js';
import { checkOp } from '../helpers/check.js';
import type { TestCase } from './types.js';

type Img = { n: number; c: number; h: number; w: number };
const idx = (s: Img, n: number, c: number, y: number, x: number) => ((n * s.c + c) * s.h + y) * s.w + x;

function refTranslate(s: Img, off: Int32Array) {
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(x.length);
    for (let n = 0; n < s.n; n++) for (let c = 0; c < s.c; c++) for (let y = 0; y < s.h; y++) for (let xx = 0; xx < s.w; xx++) {
      const sx = xx - off[2 * n], sy = y - off[2 * n + 1];
      out[idx(s, n, c, y, xx)] = sx >= 0 && sy >= 0 && sx < s.w && sy < s.h ? x[idx(s, n, c, sy, sx)] : 0;
    }
    return out;
  };
}

function refFlip(s: Img, flags: Int32Array) {
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(x.length);
    for (let n = 0; n < s.n; n++) for (let c = 0; c < s.c; c++) for (let y = 0; y < s.h; y++) for (let xx = 0; xx < s.w; xx++) {
      out[idx(s, n, c, y, xx)] = x[idx(s, n, c, y, flags[n] ? s.w - 1 - xx : xx)];
    }
    return out;
  };
}

/** grid_sample-style bilinear resampling, zero padding, align_corners = false. */
function refAffine(s: Img, theta: Float32Array) {
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(x.length);
    for (let n = 0; n < s.n; n++) {
      const t = Array.from(theta.subarray(6 * n, 6 * n + 6));
      for (let y = 0; y < s.h; y++) for (let xx = 0; xx < s.w; xx++) {
        const u = (2 * xx + 1) / s.w - 1, v = (2 * y + 1) / s.h - 1;
        const px = ((t[0] * u + t[1] * v + t[2] + 1) * s.w - 1) / 2;
        const py = ((t[3] * u + t[4] * v + t[5] + 1) * s.h - 1) / 2;
        const x0 = Math.floor(px), y0 = Math.floor(py);
        for (let c = 0; c < s.c; c++) {
          let acc = 0;
          for (const [qx, qy] of [[x0, y0], [x0 + 1, y0], [x0, y0 + 1], [x0 + 1, y0 + 1]]) {
            if (qx < 0 || qy < 0 || qx >= s.w || qy >= s.h) continue;
            acc += (1 - Math.abs(px - qx)) * (1 - Math.abs(py - qy)) * x[idx(s, n, c, qy, qx)];
          }
          out[idx(s, n, c, y, xx)] = acc;
        }
      }
    }
    return out;
  };
}

function refColor(s: Img, b: Float32Array, sat: Float32Array, con: Float32Array) {
  return ([x]: Float64Array[]) => {
    const out = new Float64Array(x.length);
    const plane = s.h * s.w;
    for (let n = 0; n < s.n; n++) {
      const y = new Float64Array(s.c * plane);
      for (let i = 0; i < s.c * plane; i++) y[i] = x[n * s.c * plane + i] + b[n];
      for (let p = 0; p < plane; p++) {
        let g = 0;
        for (let c = 0; c < s.c; c++) g += y[c * plane + p] / s.c;
        for (let c = 0; c < s.c; c++) y[c * plane + p] = (y[c * plane + p] - g) * sat[n] + g;
      }
      const level = y.reduce((a, v) => a + v, 0) / y.length;
      for (let i = 0; i < y.length; i++) out[n * s.c * plane + i] = (y[i] - level) * con[n] + level;
    }
    return out;
  };
}

const shapes: Img[] = [
  { n: 2, c: 3, h: 7, w: 9 },
  { n: 1, c: 1, h: 5, w: 5 },
  { n: 3, c: 2, h: 8, w: 6 },
];
const dims = (s: Img) => [s.n, s.c, s.h, s.w];

function affineThetas(n: number): Float32Array {
  const t = new Float32Array(6 * n);
  for (let i = 0; i < n; i++) {
    const r = 0.3 * (i - 1), sc = 1 + 0.15 * i; // rotation and scale differ per image
    t.set([Math.cos(r) / sc, -Math.sin(r) / sc, 0.1 * i, Math.sin(r) / sc, Math.cos(r) / sc, -0.05 * i], 6 * i);
  }
  return t;
}

export const augmentCases: TestCase[] = shapes.flatMap((s) => {
  const off = Int32Array.from({ length: 2 * s.n }, (_, i) => ((i * 5) % 7) - 3);
  const flags = Int32Array.from({ length: s.n }, (_, i) => i % 2);
  const theta = affineThetas(s.n);
  const per = (f: (i: number) => number) => Float32Array.from({ length: s.n }, (_, i) => f(i));
  const [b, sat, con] = [per((i) => 0.1 * i - 0.1), per((i) => 0.5 + 0.4 * i), per((i) => 1.3 - 0.2 * i)];
  const rects = Int32Array.from({ length: 2 * s.n }, (_, i) => (i * 3) % 5 - 1);
  const label = JSON.stringify(dims(s));
  return [
    { name: `translate ${label}`, run: () => checkOp({ name: 'translate', inputs: [{ shape: dims(s) }], gpu: ([x]) => E.translate(x, off), ref: refTranslate(s, off) }) },
    { name: `flipHorizontal ${label}`, run: () => checkOp({ name: 'flip', inputs: [{ shape: dims(s) }], gpu: ([x]) => E.flipHorizontal(x, flags), ref: refFlip(s, flags) }) },
    { name: `affine (scale+rotate) ${label}`, run: () => checkOp({ name: 'affine', inputs: [{ shape: dims(s) }], gpu: ([x]) => E.affine(x, theta), ref: refAffine(s, theta) }) },
    { name: `colorJitter ${label}`, run: () => checkOp({ name: 'color', inputs: [{ shape: dims(s) }], gpu: ([x]) => E.colorJitter(x, b, sat, con), ref: refColor(s, b, sat, con) }) },
    {
      name: `cutout ${label}`,
      run: () =>
        checkOp({
          name: 'cutout',
          inputs: [{ shape: dims(s) }],
          gpu: ([x]) => E.cutout(x, rects, 3),
          ref: ([x]) => {
            const out = Float64Array.from(x);
            for (let n = 0; n < s.n; n++) for (let c = 0; c < s.c; c++) for (let y = 0; y < s.h; y++) for (let xx = 0; xx < s.w; xx++) {
              const x0 = rects[2 * n], y0 = rects[2 * n + 1];
              if (xx >= x0 && xx < x0 + 3 && y >= y0 && y < y0 + 3) out[idx(s, n, c, y, xx)] = 0;
            }
            return out;
          },
        }),
    },
  ];
});
