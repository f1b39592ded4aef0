// Float64 CPU ConvNet-D assembled from the per-op references (conv, group norm, avg pool) plus ReLU and a
// dense layer. Parameters come in ConvNet.namedParameters() order:
//   per block: conv weight [W, Cin, 3, 3], conv bias [W], norm weight [W], norm bias [W]; then the
//   classifier's weight [classes, W * s * s] and bias [classes].
import { conv2dRef } from './conv.js';
import { groupNormRef } from './norm.js';
import { avgPoolRef } from './pool.js';

export interface ConvNetSpec { batch: number; inChannels: number; width: number; depth: number; imageSize: number; classes: number }

export function convNetParamShapes(s: ConvNetSpec): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i < s.depth; i++) shapes.push([s.width, i === 0 ? s.inChannels : s.width, 3, 3], [s.width], [s.width], [s.width]);
  const side = s.imageSize / 2 ** s.depth;
  shapes.push([s.classes, s.width * side * side], [s.classes]);
  return shapes;
}

/** y[n, o] = b[o] + sum_i x[n, i] * w[o, i] */
export function linearRef(n: number, inF: number, outF: number, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n * outF);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outF; o++) {
      let acc = b[o];
      for (let i = 0; i < inF; i++) acc += x[r * inF + i] * w[o * inF + i];
      y[r * outF + o] = acc;
    }
  }
  return y;
}

/** Logits [batch, classes] for images x [batch, inChannels, imageSize, imageSize]. */
export function convNetRef(s: ConvNetSpec, x: ArrayLike<number>, params: ArrayLike<number>[]): Float64Array {
  let h: ArrayLike<number> = x;
  let c = s.inChannels;
  let size = s.imageSize;
  for (let i = 0; i < s.depth; i++) {
    const [w, b, nw, nb] = params.slice(4 * i, 4 * i + 4);
    const conv = conv2dRef({ n: s.batch, c, h: size, w: size, o: s.width, kh: 3, kw: 3, stride: 1, pad: 1 }, h, w, b);
    const norm = groupNormRef([s.batch, s.width, size, size], s.width, conv, nw, nb);
    const act = norm.map((v) => Math.max(v, 0));
    h = avgPoolRef({ shape: [s.batch, s.width, size, size], k: 2, s: 2, p: 0 }, act);
    c = s.width;
    size /= 2;
  }
  const [lw, lb] = params.slice(4 * s.depth);
  return linearRef(s.batch, c * size * size, s.classes, h, lw, lb);
}
