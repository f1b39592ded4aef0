// Every shared test case family. Node runs each through test/ops/*.test.ts; the browser runner runs them all.
import type { TestCase } from './types.js';
import { elementwiseCases } from './elementwise.cases.js';
import { reduceCases } from './reduce.cases.js';
import { matmulCases } from './matmul.cases.js';
import { convCases } from './conv.cases.js';
import { normCases } from './norm.cases.js';
import { poolCases } from './pool.cases.js';
import { upsampleCases } from './upsample.cases.js';
import { lossCases } from './loss.cases.js';
import { layoutCases } from './layout.cases.js';
import { randomCases } from './random.cases.js';
import { nnCases } from './nn.cases.js';
import { optimCases } from './optim.cases.js';
import { autodiffCases } from './autodiff.cases.js';
import { augmentCases } from './augment.cases.js';

export const caseFamilies: Record<string, TestCase[]> = {
  elementwise: elementwiseCases,
  reduce: reduceCases,
  matmul: matmulCases,
  conv: convCases,
  norm: normCases,
  pool: poolCases,
  upsample: upsampleCases,
  loss: lossCases,
  layout: layoutCases,
  random: randomCases,
  nn: nnCases,
  optim: optimCases,
  autodiff: autodiffCases,
  augment: augmentCases,
};
