// Registers shared test cases with vitest, on one engine per test file.
import { beforeAll, it } from 'vitest';
import { initEngine, hasRuntime } from '../../engine/index.js';
import type { TestCase } from '../cases/types.js';

export function setupEngine(): void {
  beforeAll(async () => {
    if (!hasRuntime()) await initEngine();
  });
}

export function runCases(cases: TestCase[]): void {
  setupEngine();
  for (const c of cases) it(c.name, async () => void (await c.run()));
}
