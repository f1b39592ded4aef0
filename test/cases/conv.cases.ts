import type { TestCase } from './types.js';

export const convCases: TestCase[] = [];
