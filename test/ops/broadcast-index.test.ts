// The broadcasting kernel splits flat indices with a float reciprocal (shaders/binary.wgsl). It claims to
// be exact up to 2^24 elements; this checks the hardest cases there: a tiny innermost axis (quotients up
// to 2^23) and odd sizes, every element against the CPU.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

for (const inner of [2, 3, 7]) {
  it(`a [n, ${inner}] + b [1, ${inner}] is exact for every index up to 2^24 elements`, async () => {
    const rows = Math.floor((1 << 24) / inner);
    const n = rows * inner;
    // Each output names the coordinate it was read from: a[r, k] = r (exact in f32 below 2^24) with b = 0,
    // then a = 0 with b[k] = k.
    const rowIds = E.tensor(Float32Array.from({ length: n }, (_, i) => Math.floor(i / inner)), [rows, inner]);
    const colIds = E.tensor(Float32Array.from({ length: inner }, (_, k) => k), [1, inner]);
    const zeroRows = E.zeros([rows, inner]);
    const zeroCols = E.zeros([1, inner]);
    const r = await E.add(rowIds, zeroCols).data();
    const k = await E.add(zeroRows, colIds).data();
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) if (r[i] !== Math.floor(i / inner) || k[i] !== i % inner) bad = i;
    expect(bad, bad >= 0 ? `index ${bad}: row ${r[bad]}, column ${k[bad]}` : '').toBe(-1);
    [rowIds, colIds, zeroRows, zeroCols].forEach((t) => t.dispose());
  }, 120_000);
}

it('per-channel broadcast over NCHW with odd sizes matches the CPU', async () => {
  const [n, c, h, w] = [3, 5, 7, 11];
  const x = Float32Array.from({ length: n * c * h * w }, (_, i) => i);
  const s = Float32Array.from({ length: c }, (_, k) => 1000 * (k + 1));
  const out = await E.add(E.tensor(x, [n, c, h, w]), E.tensor(s, [1, c, 1, 1])).data();
  const ref = x.map((v, i) => v + s[Math.floor(i / (h * w)) % c]);
  expect(Array.from(out)).toEqual(Array.from(ref));
});
