import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { randomCases } from '../cases/random.cases.js';

describe('random', () => {
  if (randomCases.length === 0) it.todo('cases not written yet');
  else runCases(randomCases);
});
