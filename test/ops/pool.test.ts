import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { poolCases } from '../cases/pool.cases.js';

describe('pool', () => {
  if (poolCases.length === 0) it.todo('cases not written yet');
  else runCases(poolCases);
});
