// summarise(): mean and sample standard deviation (n - 1) by hand; bad input is refused with a message.
import { expect, it } from 'vitest';
import { formatSummary, summarise } from '../../src/evaluate/evaluate.js';

it('mean and sample std against hand computation', () => {
  // mean 0.4; squared deviations 0.01, 0, 0.01 -> sample variance 0.02 / 2 = 0.01 -> std 0.1
  const s = summarise([0.3, 0.4, 0.5]);
  expect(s.mean).toBeCloseTo(0.4, 15);
  expect(s.std).toBeCloseTo(0.1, 15);
  expect(s.runs).toEqual([0.3, 0.4, 0.5]);
  // mean 0.5; deviations 0.25 each -> sample variance 0.125 / 1 -> std sqrt(0.125)
  expect(summarise([0.25, 0.75]).std).toBeCloseTo(Math.sqrt(0.125), 15);
  expect(summarise([0.42])).toEqual({ mean: 0.42, std: 0, runs: [0.42] });
  expect(formatSummary({ mean: 0.3412, std: 0.0081, runs: [] })).toBe('34.1 ± 0.8 %');
});

it('bad input: empty or non-finite values', () => {
  expect(() => summarise([])).toThrow('summarise: no values');
  expect(() => summarise([0.5, NaN])).toThrow('summarise: value 1 is NaN, not a finite number');
  expect(() => summarise([Infinity])).toThrow(/value 0 is Infinity/);
});
