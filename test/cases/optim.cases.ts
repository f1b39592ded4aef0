import type { TestCase } from './types.js';

export const optimCases: TestCase[] = [];
