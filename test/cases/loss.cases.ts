import type { TestCase } from './types.js';

export const lossCases: TestCase[] = [];
