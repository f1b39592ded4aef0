import type { TestCase } from './types.js';

export const reduceCases: TestCase[] = [];
