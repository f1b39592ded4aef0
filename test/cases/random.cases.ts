import type { TestCase } from './types.js';

export const randomCases: TestCase[] = [];
