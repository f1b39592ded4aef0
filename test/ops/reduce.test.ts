import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { reduceCases } from '../cases/reduce.cases.js';

describe('reduce', () => {
  if (reduceCases.length === 0) it.todo('cases not written yet');
  else runCases(reduceCases);
});
