import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { lossCases } from '../cases/loss.cases.js';

describe('loss', () => {
  if (lossCases.length === 0) it.todo('cases not written yet');
  else runCases(lossCases);
});
