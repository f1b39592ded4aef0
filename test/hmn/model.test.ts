import { describe, expect, it } from 'vitest';
import * as E from '../../engine/index.js';
import { Hmn } from '../../src/hmn/model.js';
import { preset } from '../../src/hmn/presets.js';
import { countParameters } from '../../src/hmn/budget.js';
import { expectClose } from '../helpers/check.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();

describe('HMN model', () => {
  it('stores exactly the floats the budget solver counted, within budget (CIFAR-10 IPC 1)', () => {
    const p = preset('cifar10', 1);
    const hmn = Hmn.create(p.config, 1);
    expect(hmn.parameterCount()).toBe(countParameters(p.config).total);
    expect(hmn.parameterCount()).toBeLessThanOrEqual(p.breakdown.budget);
    expect(hmn.rows).toBe(10 * p.config.imagesPerClass);
    hmn.dispose();
  });

  it('decodes images in [0, 1], and an image does not depend on the others decoded with it', async () => {
    const p = preset('cifar10', 1);
    const hmn = Hmn.create(p.config, 2);
    const rows = [0, 5, 17, 40, 41, 99];
    const batch = E.tidy(() => hmn.decode(rows));
    expect(batch.shape).toEqual([6, 3, 32, 32]);
    const all = await batch.floats();
    expect(all.every((v) => v >= 0 && v <= 1)).toBe(true);
    const per = 3 * 32 * 32;
    for (const [k, r] of [[2, 17], [5, 99]]) {
      const alone = E.tidy(() => hmn.decode([r]));
      expectClose(await alone.floats(), all.subarray(k * per, (k + 1) * per), { atol: 1e-6, rtol: 1e-5 }, `row ${r} alone vs in a batch`);
      alone.dispose();
    }
    batch.dispose();
    hmn.dispose();
  });

  it('gradients reach every part: memories, extractors and decoder', async () => {
    const p = preset('cifar10', 1);
    const hmn = Hmn.create(p.config, 3);
    const grads = E.tidy(() => E.grad(E.mean(hmn.decode([1, 30, 150])), hmn.parameters()));
    for (const [i, [name]] of hmn.namedParameters().entries()) {
      const g = await grads[i].floats();
      expect(g.some((v) => v !== 0), `gradient of ${name} is all zero`).toBe(true);
    }
    grads.forEach((g) => g.dispose());
    hmn.dispose();
  });

  it('keeping a subset of rows leaves the kept images unchanged', async () => {
    const p = preset('cifar10', 1);
    const hmn = Hmn.create(p.config, 4);
    const before = E.tidy(() => hmn.decode([3, 50]));
    const b = await before.floats();
    before.dispose();
    const keepRows = hmn.rowsOfClass(0).slice(0, 2).concat([50, 3]);
    hmn.keepRows(keepRows);
    expect(hmn.rows).toBe(4);
    const after = E.tidy(() => hmn.decode([3, 2]));
    expectClose(await after.floats(), b, { atol: 1e-6, rtol: 1e-5 }, 'kept images');
    after.dispose();
    hmn.dispose();
  });
});
