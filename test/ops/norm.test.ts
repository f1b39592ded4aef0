import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { normCases } from '../cases/norm.cases.js';

describe('norm', () => {
  if (normCases.length === 0) it.todo('cases not written yet');
  else runCases(normCases);
});
