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
];
