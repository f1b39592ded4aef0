import type { TestCase } from './types.js';

export const matmulCases: TestCase[] = [];
