import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { upsampleCases } from '../cases/upsample.cases.js';

describe('upsample', () => {
  if (upsampleCases.length === 0) it.todo('cases not written yet');
  else runCases(upsampleCases);
});
