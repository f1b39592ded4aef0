import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { nnCases } from '../cases/nn.cases.js';

describe('nn', () => {
  if (nnCases.length === 0) it.todo('cases not written yet');
  else runCases(nnCases);
});
