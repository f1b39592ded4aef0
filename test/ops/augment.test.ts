import { describe } from 'vitest';
import { runCases } from '../helpers/node.js';
import { augmentCases } from '../cases/augment.cases.js';

describe('augmentation ops', () => runCases(augmentCases));
