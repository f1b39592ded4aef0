import { describe } from 'vitest';
import { runCases } from '../helpers/node.js';
import { elementwiseCases } from '../cases/elementwise.cases.js';

describe('elementwise ops', () => runCases(elementwiseCases));
