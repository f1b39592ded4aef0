import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { autodiffCases } from '../cases/autodiff.cases.js';

describe('autodiff', () => {
  if (autodiffCases.length === 0) it.todo('cases not written yet');
  else runCases(autodiffCases);
});
