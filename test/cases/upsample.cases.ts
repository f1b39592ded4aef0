import type { TestCase } from './types.js';

export const upsampleCases: TestCase[] = [];
