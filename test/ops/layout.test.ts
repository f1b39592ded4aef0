import { describe, it } from 'vitest';
import { runCases } from '../helpers/node.js';
import { layoutCases } from '../cases/layout.cases.js';

describe('layout', () => {
  if (layoutCases.length === 0) it.todo('cases not written yet');
  else runCases(layoutCases);
});
