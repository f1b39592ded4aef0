import type { TestCase } from './types.js';

export const poolCases: TestCase[] = [];
