import type { TestCase } from './types.js';

export const layoutCases: TestCase[] = [];
