// Elementwise ops: unary maps (shaders/unary.wgsl) and broadcasting binary ops (shaders/binary.wgsl), each
// with its backward rule written in these same ops so it can be differentiated again.
import { Tensor, empty, grid, scalar } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { broadcastShapes, broadcastStrides, collapseAxes, stridesOf, vec8, fmt } from '../shape.js';
import { sumTo } from './reduce.js';

function checkF32(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (t.dtype !== 'f32') throw new Error(`${op}: expected an f32 tensor, got ${t.dtype} ${fmt(t.shape)}`);
}

// ------------------------------------------------------------------ unary

/** Run shaders/unary.wgsl with a WGSL expression of `x` (and `p.alpha`, `p.beta`). No autodiff. */
export function mapRaw(x: Tensor, expr: string, alpha = 0, beta = 0): Tensor {
  const out = empty(x.shape);
  runtime().dispatcher.run({
    shader: 'unary',
    defines: { EXPR: expr },
    buffers: [x.buffer, out.buffer],
    ints: [x.size],
    floats: [alpha, beta],
    workgroups: grid(x.size),
  });
  return out;
}

function unary(op: string, x: Tensor, expr: string, backward: (g: Tensor, x: Tensor, y: Tensor) => Tensor, alpha = 0, beta = 0): Tensor {
  checkF32(op, x);
  const y = mapRaw(x, expr, alpha, beta);
  return record(op, y, [x], (g) => [backward(g, x, y)]);
}

export const neg = (x: Tensor): Tensor => unary('neg', x, '-x', (g) => neg(g));
export const exp = (x: Tensor): Tensor => unary('exp', x, 'exp(x)', (g, _x, y) => mul(g, y));
export const log = (x: Tensor): Tensor => unary('log', x, 'log(x)', (g, x) => div(g, x));
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, 'sqrt(x)', (g, _x, y) => div(g, mulScalar(y, 2)));
export const square = (x: Tensor): Tensor => unary('square', x, 'x * x', (g, x) => mul(g, mulScalar(x, 2)));
export const abs = (x: Tensor): Tensor => unary('abs', x, 'abs(x)', (g, x) => mul(g, sign(x)));
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x, '1.0 / x', (g, _x, y) => neg(mul(g, square(y))));
export const sigmoid = (x: Tensor): Tensor =>
  unary('sigmoid', x, '1.0 / (1.0 + exp(-x))', (g, _x, y) => mul(g, mul(y, addScalar(neg(y), 1))));
export const tanh = (x: Tensor): Tensor =>
  // tanh via exp of -2|x| keeps large inputs finite.
  unary('tanh', x, 'sign(x) * (1.0 - exp(-2.0 * abs(x))) / (1.0 + exp(-2.0 * abs(x)))', (g, _x, y) => mul(g, addScalar(neg(square(y)), 1)));
export const relu = (x: Tensor): Tensor => unary('relu', x, 'max(x, 0.0)', (g, x) => slopeGate(g, x, 0));
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor =>
  unary('leakyRelu', x, 'select(p.alpha * x, x, x > 0.0)', (g, x) => slopeGate(g, x, slope), slope);

/**
 * g where x > 0, slope * g elsewhere: the backward of (leaky) ReLU in one pass instead of a mask and a
 * product. Linear in g, so its own gradient is the same gate; its gradient w.r.t. x is zero almost
 * everywhere, so x is only saved, not an input.
 */
function slopeGate(g: Tensor, x: Tensor, slope: number): Tensor {
  const expr = slope === 0 ? 'select(0.0, a, b > 0.0)' : `select(${wgslFloat(slope)} * a, a, b > 0.0)`;
  return record('slopeGate', zipRaw(g, x, expr), [g], (gg) => [slopeGate(gg, x, slope)], [x]);
}

/** A WGSL f32 literal that always has a decimal point or exponent. */
function wgslFloat(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** x ** k for a constant exponent k. */
export const powScalar = (x: Tensor, k: number): Tensor =>
  unary('pow', x, 'pow(x, p.alpha)', (g, x) => mul(g, mulScalar(powScalar(x, k - 1), k)), k);

export const addScalar = (x: Tensor, s: number): Tensor => unary('addScalar', x, 'x + p.alpha', (g) => g, s);
export const mulScalar = (x: Tensor, s: number): Tensor => unary('mulScalar', x, 'x * p.alpha', (g) => mulScalar(g, s), s);
/** max(x, lo) then min(., hi); gradient passes where lo < x < hi. */
export const clamp = (x: Tensor, lo: number, hi: number): Tensor =>
  unary('clamp', x, 'clamp(x, p.alpha, p.beta)', (g, x) => mul(g, mapRaw(x, 'select(0.0, 1.0, x > p.alpha && x < p.beta)', lo, hi)), lo, hi);

/** Constant (non-differentiable) masks and signs. */
export const stepMask = (x: Tensor): Tensor => mapRaw(x, 'select(0.0, 1.0, x > 0.0)');
export const sign = (x: Tensor): Tensor => mapRaw(x, 'sign(x)');

// ------------------------------------------------------------------ binary

// Index decomposition by float reciprocal is exact below 2^24 elements (see shaders/binary.wgsl).
const FAST_DIVISION_LIMIT = 1 << 24;

const INDEX_CODE = new Map<string, string>();

/**
 * WGSL that splits the flat index `rem` into coordinates of a rank-`rank` shape and accumulates the
 * operands' offsets `ia`, `ib`: unrolled, with constant component indices (dynamic ones cost a select chain
 * per lane on CPU adapters). With `fast`, q = index / size comes from a float reciprocal and one correction
 * each way, exact below 2^24 elements (see shaders/binary.wgsl).
 */
function indexCode(rank: number, fast: boolean): string {
  const key = `${rank}/${fast}`;
  let code = INDEX_CODE.get(key);
  if (code !== undefined) return code;
  const lines: string[] = [];
  const v = (name: string, d: number) => `p.${name}[${d >> 2}][${d & 3}]`;
  for (let d = rank - 1; d >= 0; d--) {
    if (d === 0) {
      lines.push(`ia += rem * ${v('aStride', 0)};`, `ib += rem * ${v('bStride', 0)};`);
      break;
    }
    const size = v('shape', d);
    if (fast) {
      lines.push(
        `{ var q = u32(f32(rem) * ${v('inverse', d)});`,
        `  var c = i32(rem) - i32(q * ${size});`,
        `  if (c < 0) { q -= 1u; c += i32(${size}); }`,
        `  if (c >= i32(${size})) { q += 1u; c -= i32(${size}); }`,
        `  ia += u32(c) * ${v('aStride', d)}; ib += u32(c) * ${v('bStride', d)}; rem = q; }`,
      );
    } else {
      lines.push(`{ let c = rem % ${size}; ia += c * ${v('aStride', d)}; ib += c * ${v('bStride', d)}; rem = rem / ${size}; }`);
    }
  }
  code = lines.join('\n  ');
  INDEX_CODE.set(key, code);
  return code;
}

/**
 * Run shaders/binary.wgsl with a WGSL expression of `a` and `b`, broadcasting (to `shape`, by default their
 * broadcast shape). No autodiff.
 */
export function zipRaw(a: Tensor, b: Tensor, expr: string, op = 'binary', shape: readonly number[] = broadcastShapes(a.shape, b.shape, op)): Tensor {
  const out = empty(shape);
  // Fewer, longer axes: fewer index divisions per element, and same-shape-in-disguise becomes plain.
  const c = collapseAxes(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
  // An operand laid out like the output is read at the flat index: a vector load, not a per-lane gather.
  const dense = stridesOf(c.shape);
  const [aDirect, bDirect] = c.strides.map((st) => st.every((v, d) => v === dense[d]));
  const contiguous = aDirect && bDirect;
  runtime().dispatcher.run({
    shader: 'binary',
    defines: { EXPR: expr, BROADCAST: !contiguous, INDEX_CODE: contiguous ? '' : indexCode(c.shape.length, out.size <= FAST_DIVISION_LIMIT), A_DIRECT: aDirect, B_DIRECT: bDirect },
    buffers: [a.buffer, b.buffer, out.buffer],
    ints: [out.size, c.shape.length, 0, 0, ...vec8(c.shape), ...vec8(c.strides[0]), ...vec8(c.strides[1])],
    floats: contiguous ? [] : vec8(c.shape.map((n) => 1 / n)),
    workgroups: grid(out.size),
  });
  return out;
}

type Operand = Tensor | number;
const asTensor = (v: Operand): Tensor => (typeof v === 'number' ? scalar(v) : v);

function binary(op: string, a: Operand, b: Operand, expr: string, backward: (g: Tensor, a: Tensor, b: Tensor, needs: readonly boolean[]) => (Tensor | null)[]): Tensor {
  const ta = asTensor(a);
  const tb = asTensor(b);
  checkF32(op, ta, tb);
  const out = zipRaw(ta, tb, expr, op);
  return record(op, out, [ta, tb], (g, needs) => {
    const [ga, gb] = backward(g, ta, tb, needs);
    return [ga && needs[0] ? sumTo(ga, ta.shape) : null, gb && needs[1] ? sumTo(gb, tb.shape) : null];
  });
}

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b, 'a + b', (g) => [g, g]);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b, 'a - b', (g, _a, _b, n) => [g, n[1] ? neg(g) : null]);
export const mul = (a: Operand, b: Operand): Tensor =>
  binary('mul', a, b, 'a * b', (g, a, b, n) => [n[0] ? mul(g, b) : null, n[1] ? mul(g, a) : null]);
export const div = (a: Operand, b: Operand): Tensor =>
  binary('div', a, b, 'a / b', (g, a, b, n) => [n[0] ? div(g, b) : null, n[1] ? neg(div(mul(g, a), square(b))) : null]);
export const maximum = (a: Operand, b: Operand): Tensor =>
  binary('maximum', a, b, 'max(a, b)', (g, a, b, n) => [
    n[0] ? mul(g, zipRaw(a, b, 'select(0.0, 1.0, a >= b)')) : null,
    n[1] ? mul(g, zipRaw(a, b, 'select(0.0, 1.0, a < b)')) : null,
  ]);
