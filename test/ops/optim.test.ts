import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { optimCases } from '../cases/optim.cases.js';

describe('optim', () => {
  if (optimCases.length === 0) it.todo('cases not written yet');
  else runCases(optimCases);
});
