import type { TestCase } from './types.js';

export const normCases: TestCase[] = [];
