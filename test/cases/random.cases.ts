// Philox4x32-10 against the Random123 known-answer vectors, distribution sanity, permutations, and exact
// continuation from a saved state.
import * as E from '../../engine/index.js';
import type { TestCase } from './types.js';

const hex = (w: number[]) => w.map((v) => v.toString(16).padStart(8, '0')).join(' ');
const assert = (ok: boolean, msg: string) => {
  if (!ok) throw new Error(msg);
};

export const randomCases: TestCase[] = [
  {
    name: 'philox4x32-10 known-answer vectors (Random123)',
    run: async () => {
      const kat: [number[], number[], string][] = [
        [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
        [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
        [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
      ];
      for (const [ctr, key, want] of kat) {
        const got = hex(E.philox4x32(ctr, key));
        assert(got === want, `philox4x32(${hex(ctr)}; ${hex(key)}) = ${got}, expected ${want}`);
      }
    },
  },
  {
    name: 'uniform, normal and integers have the right moments and ranges',
    run: async () => {
      const r = new E.Random(7);
      const n = 100000;
      const u = r.uniform(n, -2, 3);
      const mu = u.reduce((s, v) => s + v, 0) / n;
      assert(u.every((v) => v >= -2 && v < 3), 'uniform out of range');
      assert(Math.abs(mu - 0.5) < 0.03, `uniform mean ${mu}, expected 0.5`);
      const g = r.normal(n, 1, 2);
      const m = g.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(g.reduce((s, v) => s + (v - m) ** 2, 0) / n);
      assert(Math.abs(m - 1) < 0.03 && Math.abs(sd - 2) < 0.03, `normal mean ${m} std ${sd}, expected 1 and 2`);
      const k = r.integers(n, 3, 8);
      const counts = [3, 4, 5, 6, 7].map((v) => k.filter((x) => x === v).length / n);
      assert(k.every((v) => v >= 3 && v < 8) && counts.every((c) => Math.abs(c - 0.2) < 0.01), `integer frequencies ${counts}`);
      return { u: Array.from(u.subarray(0, 8)), g: Array.from(g.subarray(0, 8)) };
    },
  },
  {
    name: 'permutation is a permutation; streams and seeds differ',
    run: async () => {
      const p = new E.Random(1).permutation(1000);
      assert([...p].sort((a, b) => a - b).every((v, i) => v === i), 'not a permutation');
      assert(p.some((v, i) => v !== i), 'identity permutation');
      assert(new E.Random(1, 1).words(4)[0] !== new E.Random(1, 2).words(4)[0], 'streams collide');
      assert(new E.Random(1).words(4)[0] !== new E.Random(2).words(4)[0], 'seeds collide');
    },
  },
  {
    name: 'a generator restored from its state continues the exact sequence',
    run: async () => {
      const a = new E.Random(42, 3);
      a.normal(10);
      const saved = a.state;
      const next = a.uniform(9);
      const b = E.Random.fromState(JSON.parse(JSON.stringify(saved)));
      const again = b.uniform(9);
      assert(next.every((v, i) => v === again[i]), 'restored stream differs');
      const t = E.randomNormal([2, 3], new E.Random(5));
      const same = new E.Random(5).normal(6);
      const tv = await t.data();
      t.dispose();
      assert(tv.every((v, i) => v === same[i]), 'randomNormal tensor differs from the CPU stream');
    },
  },
  {
    name: 'the stream is Philox blocks at counters 0, 1, 2, ... keyed by (seed, stream)',
    run: async () => {
      const w = Array.from(new E.Random(0).words(8));
      const want = [...E.philox4x32([0, 0, 0, 0], [0, 0]), ...E.philox4x32([1, 0, 0, 0], [0, 0])];
      assert(hex(w) === hex(want), `Random(0) words ${hex(w)}, expected ${hex(want)}`);
      assert(hex(w.slice(0, 4)) === '6627e8d5 e169c58d bc57ac4c 9b00dbd8', 'Random(0) does not start with the Random123 zero vector');
      const r = new E.Random(5, 3);
      r.uniform(5); // two blocks
      assert(r.state.counter === 2, `counter after 5 values is ${r.state.counter}, expected 2`);
      const next = Array.from(r.words(4));
      assert(hex(next) === hex(E.philox4x32([2, 0, 0, 0], [5, 3])), 'block 2 of stream (5, 3)');
      const big = Array.from(new E.Random(2 ** 32 + 7).words(4));
      assert(hex(big) === hex(E.philox4x32([0, 0, 1, 0], [7, 0])), 'seeds above 2^32 carry into the counter');
      return { words: w };
    },
  },
  {
    name: 'uniform never reaches hi, even where float32 rounding would; argument errors',
    run: async () => {
      const u = new E.Random(3).uniform(100000, 1000, 1001);
      assert(u.every((v) => v >= 1000 && v < 1001), `uniform [1000, 1001) gave ${u.find((v) => !(v >= 1000 && v < 1001))}`);
      const r = new E.Random(3);
      const expectThrow = (fn: () => unknown, part: string) => {
        let msg = '';
        try {
          fn();
        } catch (e) {
          msg = (e as Error).message;
        }
        assert(msg.includes(part), `expected an error mentioning '${part}', got '${msg}'`);
      };
      expectThrow(() => r.uniform(3, 1, 1), 'empty range');
      expectThrow(() => r.integers(3, 0, 2.5), '2.5');
      expectThrow(() => r.integers(3, 4, 4), 'non-empty');
      expectThrow(() => r.normal(-1), '-1');
      expectThrow(() => new E.Random(0.5), 'integers');
      assert(r.state.counter === 0, 'failed calls consumed numbers');
    },
  },
  {
    name: 'permutation of 0 and 1 elements; integers cover a range fairly',
    run: async () => {
      const r = new E.Random(9);
      assert(r.permutation(0).length === 0 && r.permutation(1)[0] === 0, 'tiny permutations');
      const k = r.integers(60000, -3, 3);
      const counts = [-3, -2, -1, 0, 1, 2].map((v) => k.filter((x) => x === v).length / 60000);
      assert(counts.every((c) => Math.abs(c - 1 / 6) < 0.01), `integer frequencies ${counts}`);
      // Each position of a permutation of 4 is roughly uniform over the values.
      const hits = new Float64Array(16);
      for (let i = 0; i < 4000; i++) r.permutation(4).forEach((v, pos) => hits[pos * 4 + v]++);
      assert(hits.every((h) => Math.abs(h / 4000 - 0.25) < 0.04), `permutation position frequencies ${Array.from(hits)}`);
    },
  },
  {
    name: 'randomUniform / randomNormal tensors: shape, dtype, and the CPU stream in row-major order',
    run: async () => {
      const t = E.randomUniform([3, 1, 5], new E.Random(11, 2), -1, 1);
      const want = new E.Random(11, 2).uniform(15, -1, 1);
      assert(t.dtype === 'f32' && JSON.stringify(t.shape) === '[3,1,5]', `randomUniform gave ${t}`);
      const v = await t.data();
      t.dispose();
      assert(v.every((x, i) => x === want[i]), 'randomUniform tensor differs from the CPU stream');
      const g = E.randomNormal([7], new E.Random(11), 3, 0.5);
      const gv = await g.data();
      g.dispose();
      assert(gv.every((x, i) => x === new E.Random(11).normal(7, 3, 0.5)[i]), 'randomNormal tensor differs from the CPU stream');
      return { uniform: Array.from(v), normal: Array.from(gv) };
    },
  },
];
