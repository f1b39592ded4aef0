// 2-D convolution (NCHW, groups 1, dilation 1) with dedicated implicit-GEMM kernels for the forward pass,
// backward-data and backward-weight (shaders/conv.wgsl). The three are bilinear maps and each one's
// gradients are the other two, so every rule below is made of these same recorded ops and convolutions
// can be differentiated to any order (gradient matching needs the second).
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { noGrad, record } from '../autodiff.js';
import { fmt } from '../shape.js';
import { add } from './elementwise.js';
import { sum, reshape } from './reduce.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
}

interface Geometry {
  batch: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

type Mode = 'forward' | 'backwardData' | 'backwardWeight';

// Same tile as matmul (see engine/ops/matmul.ts for the measurements behind it); 4 rows per invocation
// when there are only a few rows (the 3 input channels of a first layer's backward-data).
const TN = 8;
const WG_X = 8;
const WG_Y = 8;

function geometry(op: string, input: readonly number[], weight: readonly number[], opts: ConvOptions): Geometry {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  if (input.length !== 4 || weight.length !== 4) throw new Error(`${op}: expected input [N, C, H, W] and weight [O, C, kh, kw], got ${fmt(input)} and ${fmt(weight)}`);
  if (!Number.isInteger(stride) || stride < 1 || !Number.isInteger(pad) || pad < 0) throw new Error(`${op}: stride must be >= 1 and padding >= 0 (integers), got ${stride}, ${pad}`);
  const [batch, cin, h, w] = input;
  const [cout, wc, kh, kw] = weight;
  if (wc !== cin) throw new Error(`${op}: input ${fmt(input)} has ${cin} channels but weight ${fmt(weight)} expects ${wc}`);
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - kw) / stride) + 1;
  if (ho < 1 || wo < 1) throw new Error(`${op}: kernel ${kh}x${kw} does not fit input ${h}x${w} with padding ${pad}`);
  return { batch, cin, h, w, cout, ho, wo, kh, kw, stride, pad };
}

const kernels = new Map<string, Record<string, string | number | boolean>>();

/** Per-mode index arithmetic, unrolled over the TM x TN tile. */
function convDefines(mode: Mode, bias: boolean, TM: number, stride1: boolean): Record<string, string | number | boolean> {
  const key = `${mode}${bias}${TM}${stride1}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const rows = [...Array(TM).keys()];
  const cols = [...Array(TN).keys()];
  const groups = [...Array(TN / 4).keys()];
  const lane = ['x', 'y', 'z', 'w'];
  const colDecl: string[] = [];
  let perK = '';
  let loadS: (j: number) => string;
  let loadR: (i: number) => string;
  let outIndex: (i: number, j: number) => string;
  for (const j of cols) colDecl.push(`  let col${j} = min(nBase + ${WG_X * j}u, lastN);`, `  let q${j} = i32(col${j});`);
  if (mode === 'forward') {
    for (const j of cols) {
      colDecl.push(
        `  let n${j} = q${j} / howo; let r${j} = q${j} % howo;`,
        `  let iy${j} = (r${j} / p.wo) * p.stride - p.pad; let ix${j} = (r${j} % p.wo) * p.stride - p.pad;`,
        `  let sb${j} = n${j} * p.cin * hw + iy${j} * p.w + ix${j};`,
      );
    }
    perK = '    let ki = i32(k); let c = ki / taps; let t = ki % taps; let ky = t / p.kw; let kx = t % p.kw; let koff = c * hw + ky * p.w + kx;';
    loadS = (j) => `loadS(sb${j} + koff, u32(iy${j} + ky) < u32(p.h) && u32(ix${j} + kx) < u32(p.w))`;
    loadR = (i) => `R[m${i} * p.gk + k]`;
    outIndex = (i, j) => `u32(n${j} * p.cout * howo + r${j}) + (mBase + ${i}u) * u32(howo)`;
  } else if (mode === 'backwardData') {
    for (const j of cols) {
      colDecl.push(
        `  let n${j} = q${j} / hw; let r${j} = q${j} % hw;`,
        `  let ty${j} = r${j} / p.w + p.pad; let tx${j} = r${j} % p.w + p.pad;`,
        `  let gb${j} = n${j} * p.cout * howo;`,
      );
    }
    perK = '    let ki = i32(k); let o = ki / taps; let t = ki % taps; let ky = t / p.kw; let kx = t % p.kw; let ooff = o * howo;';
    // Stride 1 needs no division: the output pixel is (ty - ky, tx - kx).
    loadS = stride1
      ? (j) => `loadS(gb${j} + ooff + (ty${j} - ky) * p.wo + tx${j} - kx, u32(ty${j} - ky) < u32(p.ho) && u32(tx${j} - kx) < u32(p.wo))`
      : (j) =>
          `loadS(gb${j} + ooff + ((ty${j} - ky) / p.stride) * p.wo + (tx${j} - kx) / p.stride, ty${j} >= ky && tx${j} >= kx && (ty${j} - ky) % p.stride == 0 && (tx${j} - kx) % p.stride == 0 && (ty${j} - ky) / p.stride < p.ho && (tx${j} - kx) / p.stride < p.wo)`;
    loadR = (i) => `R[u32((o * p.cin + i32(m${i})) * taps + t)]`;
    outIndex = (i, j) => `u32(n${j} * p.cin * hw + r${j}) + (mBase + ${i}u) * u32(hw)`;
  } else {
    for (const j of cols) {
      colDecl.push(`  let c${j} = q${j} / taps; let t${j} = q${j} % taps;`, `  let ky${j} = t${j} / p.kw; let kx${j} = t${j} % p.kw; let sc${j} = c${j} * hw;`);
    }
    perK =
      '    let ki = i32(k); let n = ki / howo; let r = ki % howo; let iy0 = (r / p.wo) * p.stride - p.pad; let ix0 = (r % p.wo) * p.stride - p.pad; let nb = n * p.cin * hw + iy0 * p.w + ix0;';
    loadS = (j) => `loadS(nb + sc${j} + ky${j} * p.w + kx${j}, u32(iy0 + ky${j}) < u32(p.h) && u32(ix0 + kx${j}) < u32(p.w))`;
    loadR = (i) => `R[u32((n * p.cout + i32(m${i})) * howo + r)]`;
    outIndex = (i, j) => `zOff + (mBase + ${i}u) * p.gn + col${j}`;
  }
  const DECLARE = [
    ...colDecl,
    ...rows.map((i) => `  let m${i} = min(mBase + ${i}u, lastM);`),
    ...rows.flatMap((i) => groups.map((g) => `  var c${i}_${g} = vec4f(0.0);`)),
  ].join('\n');
  const ACCUMULATE = [
    perK,
    ...groups.map((g) => `    let b${g} = vec4f(${[0, 1, 2, 3].map((q) => loadS(4 * g + q)).join(', ')});`),
    ...rows.flatMap((i) => [`    let a${i} = ${loadR(i)};`, ...groups.map((g) => `    c${i}_${g} += a${i} * b${g};`)]),
  ].join('\n');
  const STORE = rows
    .map((i) => {
      const biasTerm = bias ? ` + bias[mBase + ${i}u]` : '';
      const stores = cols.map((j) => `    if (nBase + ${WG_X * j}u < p.gn) { OUT[${outIndex(i, j)}] = c${i}_${j >> 2}.${lane[j % 4]}${biasTerm}; }`);
      return `  if (mBase + ${i}u < p.gm) {\n${stores.join('\n')}\n  }`;
    })
    .join('\n');
  const d = { BIAS: bias, WG_X, WG_Y, TM, TN, DECLARE, ACCUMULATE, STORE };
  kernels.set(key, d);
  return d;
}

/** Enough workgroups to keep every core (or GPU SM) busy; below this, backward-weight splits K. */
const MIN_WORKGROUPS = 32;
const MIN_K_PER_SPLIT = 512;

function runConv(mode: Mode, s: Tensor, r: Tensor, g: Geometry, outShape: number[], bias?: Tensor): Tensor {
  const taps = g.kh * g.kw;
  const [gm, gn, gk] =
    mode === 'forward'
      ? [g.cout, g.batch * g.ho * g.wo, g.cin * taps]
      : mode === 'backwardData'
        ? [g.cin, g.batch * g.h * g.w, g.cout * taps]
        : [g.cout, g.cin * taps, g.batch * g.ho * g.wo];
  const TM = gm <= 8 ? 4 : 16;
  const tiles = Math.ceil(gn / (WG_X * TN)) * Math.ceil(gm / (WG_Y * TM));
  // Backward-weight has a small output and a long K (every pixel of the batch): split K across workgroups
  // into partial sums and add them with a reduction (WGSL has no float atomics).
  const splits = mode === 'backwardWeight' && tiles < MIN_WORKGROUPS ? Math.max(1, Math.min(Math.ceil(MIN_WORKGROUPS / tiles), Math.floor(gk / MIN_K_PER_SPLIT))) : 1;
  const kChunk = Math.ceil(gk / splits);
  const out = empty(splits > 1 ? [splits, ...outShape] : outShape);
  if (out.size === 0) return out;
  runtime().dispatcher.run({
    shader: 'conv',
    defines: convDefines(mode, !!bias, TM, g.stride === 1),
    buffers: bias ? [s.buffer, r.buffer, bias.buffer, out.buffer] : [s.buffer, r.buffer, out.buffer],
    ints: [g.batch, g.cin, g.h, g.w, g.cout, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, 0, gm, gn, gk, kChunk],
    workgroups: [Math.ceil(gn / (WG_X * TN)), Math.ceil(gm / (WG_Y * TM)), splits],
  });
  if (splits === 1) return out;
  const total = noGradSum(out);
  out.dispose();
  return total;
}

/** Sum of split-K partials (raw: the result is recorded by the calling op). */
function noGradSum(partials: Tensor): Tensor {
  return noGrad(() => sum(partials, 0));
}

/** x [N, C, H, W] * w [O, C, kh, kw] (+ bias [O]) -> [N, O, Ho, Wo]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor, opts: ConvOptions = {}): Tensor {
  const g = geometry('conv2d', x.shape, w.shape, opts);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== g.cout)) throw new Error(`conv2d: bias ${fmt(bias.shape)} does not match ${g.cout} output channels`);
  const out = runConv('forward', x, w, g, [g.batch, g.cout, g.ho, g.wo], bias);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record('conv2d', out, inputs, (grad, needs) => [
    needs[0] ? conv2dBackwardData(grad, w, x.shape, opts) : null,
    needs[1] ? conv2dBackwardWeight(x, grad, w.shape, opts) : null,
    needs[2] ? sum(grad, [0, 2, 3]) : null,
  ]);
}

/** dL/dx of conv2d given dL/dy = g; inputShape is x's shape (ambiguous from g when stride > 1). */
export function conv2dBackwardData(g: Tensor, w: Tensor, inputShape: readonly number[], opts: ConvOptions = {}): Tensor {
  const geo = geometry('conv2dBackwardData', inputShape, w.shape, opts);
  checkGradShape('conv2dBackwardData', g, geo);
  const out = runConv('backwardData', g, w, geo, [...inputShape]);
  return record('conv2dBackwardData', out, [g, w], (u, needs) => [
    needs[0] ? conv2d(u, w, undefined, opts) : null,
    needs[1] ? conv2dBackwardWeight(u, g, w.shape, opts) : null,
  ]);
}

/** dL/dw of conv2d given its input x and dL/dy = g. */
export function conv2dBackwardWeight(x: Tensor, g: Tensor, weightShape: readonly number[], opts: ConvOptions = {}): Tensor {
  const geo = geometry('conv2dBackwardWeight', x.shape, weightShape, opts);
  checkGradShape('conv2dBackwardWeight', g, geo);
  const out = runConv('backwardWeight', x, g, geo, [...weightShape]);
  return record('conv2dBackwardWeight', out, [x, g], (v, needs) => [
    needs[0] ? conv2dBackwardData(g, v, x.shape, opts) : null,
    needs[1] ? conv2d(x, v, undefined, opts) : null,
  ]);
}

function checkGradShape(op: string, g: Tensor, geo: Geometry): void {
  const want = [geo.batch, geo.cout, geo.ho, geo.wo];
  if (g.rank !== 4 || g.shape.some((d, i) => d !== want[i])) throw new Error(`${op}: gradient ${fmt(g.shape)} should be ${fmt(want)}`);
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: number;
}

/** Transposed convolution, PyTorch semantics: x [N, Cin, H, W], w [Cin, Cout, kh, kw] -> [N, Cout, Hout, Wout]. */
export function convTranspose2d(x: Tensor, w: Tensor, bias?: Tensor, opts: ConvTransposeOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const outPad = opts.outputPadding ?? 0;
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[0]) {
    throw new Error(`convTranspose2d: expected x [N, Cin, H, W] and weight [Cin, Cout, kh, kw], got ${fmt(x.shape)} and ${fmt(w.shape)}`);
  }
  if (outPad < 0 || outPad >= stride) throw new Error(`convTranspose2d: outputPadding ${outPad} must be in [0, stride)`);
  const [n, , h, wd] = x.shape;
  const [, cout, kh, kw] = w.shape;
  const outShape = [n, cout, (h - 1) * stride - 2 * pad + kh + outPad, (wd - 1) * stride - 2 * pad + kw + outPad];
  // It is the adjoint of conv2d with weight w read as [O = Cin, C = Cout, kh, kw].
  const y = conv2dBackwardData(x, w, outShape, { stride, padding: pad });
  return bias ? add(y, reshape(bias, [1, cout, 1, 1])) : y;
}
