// A small seeded generator for the data side (splits, the procedural dataset): sfc32 (Chris Doty-Humphrey's
// "small fast counting" generator, 128 bits of state) seeded through a murmur3-style mixer. It uses only
// 32-bit integer operations, so a seed gives the same numbers in every JavaScript engine.

/** Mixes 32-bit words into one well-distributed 32-bit word (murmur3's finaliser over a running hash). */
export function hashWords(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for the given words (a seed, optionally a stream and an index: independent sequences). */
  constructor(...seedWords: number[]) {
    for (const w of seedWords) if (!Number.isInteger(w)) throw new Error(`Prng: seeds must be integers, got ${w}`);
    this.a = hashWords(...seedWords, 1);
    this.b = hashWords(...seedWords, 2);
    this.c = hashWords(...seedWords, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next(); // let the state mix before the first output
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), a multiple of 2^-32 (exact, so identical everywhere). */
  uniform(): number {
    return this.next() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}
