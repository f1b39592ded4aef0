import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellId, cells, parseSpec, SpecError } from '../../src/experiment/spec.js';

const minimal = { name: 't', dataset: 'cifar10', methods: ['hmn', 'random'], ipc: [1, 10] };
const parse = (o: unknown) => parseSpec(JSON.stringify(o), 'test.json');

function rejects(o: unknown, message: RegExp): void {
  let err: unknown;
  try {
    parse(o);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a SpecError matching ${message}`).toBeInstanceOf(SpecError);
  expect((err as Error).message).toMatch(/^test\.json: /);
  expect((err as Error).message).toMatch(message);
}

describe('experiment spec', () => {
  it('fills defaults and lists the cells method-major', () => {
    const s = parse({ ...minimal, seeds: [3, 4] });
    expect(s.evaluation.runs).toBe(10);
    expect(s.prune.overBudget).toBe(0.1);
    expect(s.pixelGm.iterations).toBe(s.hmn.iterations);
    expect(cells(s).map(cellId)).toEqual([
      'hmn-ipc1-seed3', 'hmn-ipc1-seed4', 'hmn-ipc10-seed3', 'hmn-ipc10-seed4',
      'random-ipc1-seed3', 'random-ipc1-seed4', 'random-ipc10-seed3', 'random-ipc10-seed4',
    ]);
  });

  it('rejects bad specs naming the field', () => {
    expect(() => parseSpec('{"name": ', 'test.json')).toThrow(/test\.json: not valid JSON/);
    rejects([], /spec must be an object/);
    rejects({ ...minimal, dataset: 'mnist' }, /spec\.dataset is 'mnist'; choose from cifar10/);
    rejects({ ...minimal, methods: ['hmn', 'gan'] }, /spec\.methods\[1\] is "gan"; methods are hmn, hmn-pruned/);
    rejects({ ...minimal, methods: [] }, /spec\.methods must be a non-empty list/);
    rejects({ ...minimal, ipc: [1, 0] }, /spec\.ipc\[1\] must be a whole number >= 1, got 0/);
    rejects({ ...minimal, ipc: [10, 10] }, /spec\.ipc lists 10 twice/);
    rejects({ ...minimal, seeds: [1.5] }, /spec\.seeds\[0\] must be a whole number >= 0/);
    rejects({ ...minimal, evalution: {} }, /spec: unknown field 'evalution'/);
    rejects({ ...minimal, evaluation: { runs: 0 } }, /spec\.evaluation\.runs must be at least 1, got 0/);
    rejects({ ...minimal, evaluation: { epochs: '10' } }, /spec\.evaluation\.epochs must be a number, got "10"/);
    rejects({ ...minimal, hmn: { augment: 'color_blur' } }, /spec\.hmn\.augment: unknown augmentation 'blur'/);
    rejects({ ...minimal, hmn: { distance: 'l3' } }, /spec\.hmn\.distance is 'l3'/);
    rejects({ ...minimal, prune: { betas: [0, 1.5] } }, /spec\.prune\.betas\[1\] must be a number in \[0, 1\]/);
    rejects({ ...minimal, prune: { overBudget: 0 } }, /spec\.prune\.overBudget must be greater than 0/);
    rejects({ ...minimal, name: 'a/b' }, /spec\.name 'a\/b' may hold only letters/);
    rejects({ ...minimal, dm: { lr: -1 } }, /spec\.dm\.lr must be greater than 0/);
  });

  it('the shipped specs parse', () => {
    for (const name of ['cpu-small', 'paper']) {
      const s = parseSpec(readFileSync(`experiments/${name}.json`, 'utf8'), name);
      expect(s.name).toBe(name);
      expect(s.methods).toEqual(['hmn', 'hmn-pruned', 'pixel-gm', 'dm', 'random']);
    }
  });
});
