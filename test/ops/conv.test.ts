import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { convCases } from '../cases/conv.cases.js';

describe('conv', () => {
  if (convCases.length === 0) it.todo('cases not written yet');
  else runCases(convCases);
});
