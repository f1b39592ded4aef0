// Dawn's Node bindings poll for finished GPU work with a setImmediate loop; the engine backs long waits off
// to 1 ms polls (engine/dawn-polling.ts). Counted here through a spy on setImmediate that Dawn looks up on
// every poll: a busy loop makes on the order of a hundred polls per millisecond of waiting.
import { expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

type Scheduler = (fn: (...args: unknown[]) => void, ...args: unknown[]) => unknown;
const g = globalThis as unknown as { setImmediate: Scheduler };

/** Count the native (Dawn) callbacks handed to setImmediate while `wait` runs. */
async function countPolls(wait: () => Promise<unknown>): Promise<{ polls: number; ms: number }> {
  const installed = g.setImmediate; // the engine's, once initEngine has run
  let polls = 0;
  g.setImmediate = (fn, ...args) => {
    if (Function.prototype.toString.call(fn).includes('[native code]')) polls++;
    return installed(fn, ...args);
  };
  try {
    const t0 = performance.now();
    await wait();
    return { polls, ms: performance.now() - t0 };
  } finally {
    g.setImmediate = installed;
  }
}

it('a long wait for the GPU polls about once a millisecond, not in a busy loop, and the results are right', async () => {
  const n = 384;
  const a = E.keep(E.full([n, n], 0.5));
  const b = E.keep(E.full([n, n], 0.25));
  const products = Array.from({ length: 6 }, () => E.keep(E.matmul(a, b)));
  const { polls, ms } = await countPolls(() => E.sync());
  expect(ms).toBeGreaterThan(5); // the wait was long enough to tell the two apart
  expect(polls).toBeLessThanOrEqual(32 + 2 * ms + 20);
  for (const p of products) {
    const v = await p.floats();
    expect(v.every((x) => Math.abs(x - n * 0.125) < 1e-3)).toBe(true);
  }
  [a, b, ...products].forEach((t) => t.dispose());
});

it('short waits still settle, and other setImmediate callbacks run with their arguments', async () => {
  const x = E.keep(E.full([16], 2));
  for (let i = 0; i < 20; i++) {
    const y = E.mul(x, x);
    expect(Array.from(await y.floats())).toEqual(new Array(16).fill(4));
    y.dispose();
  }
  x.dispose();
  const got = await new Promise((resolve) => g.setImmediate((v: unknown) => resolve(v), 'passed through'));
  expect(got).toBe('passed through');
});
