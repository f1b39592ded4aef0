// Seeded randomness: Philox4x32-10 (Salmon et al., SC'11), a counter-based generator evaluated in
// TypeScript. The numbers depend only on (seed, stream, counter), so Node and Chrome (both V8, the same
// Math.log/cos) produce identical values, and a checkpoint resumes a stream exactly by storing its counter.
import { Tensor, tensor, type Shape, sizeOf } from '../tensor.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High and low 32 bits of a 32 x 32 -> 64-bit product. */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const mid = aH * bL + ((aL * bL) >>> 16);
  const mid2 = aL * bH + (mid & 0xffff);
  const hi = (aH * bH + Math.floor(mid / 0x10000) + Math.floor(mid2 / 0x10000)) >>> 0;
  return [hi, lo];
}

/** One Philox4x32-10 block: four 32-bit words from a 128-bit counter and a 64-bit key. */
export function philox4x32(ctr: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

export interface RandomState {
  seed: number;
  stream: number;
  counter: number;
}

/**
 * A stream of random numbers. Block `counter` of stream (seed, stream) is
 * philox4x32(ctr = [counter lo, counter hi, seed / 2^32, 0], key = [seed mod 2^32, stream]).
 * Every call consumes whole 4-word blocks, so the state is one counter.
 */
export class Random {
  private counter: number;

  constructor(readonly seed: number, readonly stream = 0, counter = 0) {
    if (!Number.isInteger(seed) || !Number.isInteger(stream)) throw new Error(`Random: seed and stream must be integers, got ${seed}, ${stream}`);
    this.counter = counter;
  }

  static fromState(s: RandomState): Random {
    return new Random(s.seed, s.stream, s.counter);
  }

  get state(): RandomState {
    return { seed: this.seed, stream: this.stream, counter: this.counter };
  }

  /** n raw 32-bit words. */
  words(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0) throw new Error(`Random: cannot draw ${n} values (need a non-negative integer)`);
    const out = new Uint32Array(Math.ceil(n / 4) * 4);
    const key = [this.seed >>> 0, this.stream >>> 0];
    for (let i = 0; i < out.length; i += 4) {
      const c = this.counter++;
      out.set(philox4x32([c >>> 0, Math.floor(c / 2 ** 32) >>> 0, (this.seed / 2 ** 32) >>> 0, 0], key), i);
    }
    return out.subarray(0, n);
  }

  /** Uniform in [lo, hi), 24-bit resolution. */
  uniform(n: number, lo = 0, hi = 1): Float32Array {
    if (!(hi > lo)) throw new Error(`Random.uniform: empty range [${lo}, ${hi})`);
    const w = this.words(n);
    // lo + (hi - lo) * u can round up to hi in float32 when lo is large next to the range; step back one ulp.
    const top = below(hi);
    return Float32Array.from(w, (v) => Math.min(Math.fround(lo + (hi - lo) * ((v >>> 8) / 16777216)), top));
  }

  /** Normal(mean, std) by Box-Muller. */
  normal(n: number, mean = 0, std = 1): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new Error(`Random: cannot draw ${n} values (need a non-negative integer)`);
    const w = this.words(2 * Math.ceil(n / 2));
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u1 = ((w[i] >>> 8) + 0.5) / 16777216;
      const u2 = (w[i + 1] >>> 8) / 16777216;
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** Integers in [lo, hi) (multiply-shift from 32 bits: bias below (hi - lo) / 2^32). */
  integers(n: number, lo: number, hi: number): Int32Array {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !(hi > lo) || lo < -(2 ** 31) || hi > 2 ** 31) {
      throw new Error(`Random.integers: [${lo}, ${hi}) is not a non-empty range of 32-bit integers`);
    }
    const w = this.words(n);
    return Int32Array.from(w, (v) => lo + Math.floor((v / 4294967296) * (hi - lo)));
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    const w = this.words(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor((w[i] / 4294967296) * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/** The largest float32 strictly below x. */
function below(x: number): number {
  const f = Math.fround(x);
  if (f < x) return f; // x was rounded down to its float32 neighbour
  const word = new Float32Array([f]);
  const bits = new Int32Array(word.buffer);
  if (f > 0) bits[0] -= 1;
  else if (f < 0) bits[0] += 1;
  else bits[0] = 0x80000001 | 0; // below 0: the smallest negative subnormal
  return word[0];
}

/** An f32 tensor of uniform values in [lo, hi), drawn from rng in row-major order. */
export function randomUniform(shape: Shape, rng: Random, lo = 0, hi = 1): Tensor {
  return tensor(rng.uniform(sizeOf(shape), lo, hi), shape);
}

/** An f32 tensor of normal values, drawn from rng in row-major order. */
export function randomNormal(shape: Shape, rng: Random, mean = 0, std = 1): Tensor {
  return tensor(rng.normal(sizeOf(shape), mean, std), shape);
}
