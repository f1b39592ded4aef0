import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { matmulCases } from '../cases/matmul.cases.js';

describe('matmul', () => {
  if (matmulCases.length === 0) it.todo('cases not written yet');
  else runCases(matmulCases);
});
