import type { TestCase } from './types.js';

export const nnCases: TestCase[] = [];
