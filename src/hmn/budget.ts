// Storage budgets and the solver that turns a budget and memory shapes into GIPC (generated images per class).
// The budget of IPC images per class is IPC x classes x C x H x W floats (CIFAR-10 IPC 1 = 30,720).
import { DECODER_KERNEL, validateConfig, type HmnConfig, type ImageShape } from './config.js';

export interface BudgetBreakdown {
  budget: number;
  datasetMemory: number;
  classMemories: number;
  extractors: number;
  decoder: number;
  instanceMemories: number;
  total: number;
  /** Floats of one instance memory (what one more generated image costs). */
  perImage: number;
}

export function budgetFloats(ipc: number, classes: number, image: ImageShape): number {
  if (!(ipc > 0)) throw new Error(`IPC must be positive, got ${ipc}`);
  return Math.round(ipc * classes * image.channels * image.height * image.width);
}

const convParams = (cin: number, cout: number, k: number) => cout * cin * k * k + cout;

/** Every stored float of the network, by part. */
export function countParameters(c: HmnConfig): Omit<BudgetBreakdown, 'budget'> {
  const area = c.memorySize * c.memorySize;
  const datasetMemory = c.datasetChannels * area;
  const classMemories = c.classes * c.classChannels * area;
  const extractors = c.classes * convParams(c.datasetChannels, c.extractorChannels, c.extractorKernel);
  let decoder = 0;
  let cin = c.extractorChannels + c.classChannels + c.instanceChannels;
  for (const cout of c.decoderChannels) {
    decoder += convParams(cin, cout, DECODER_KERNEL);
    cin = cout;
  }
  decoder += convParams(cin, c.image.channels, DECODER_KERNEL); // to pixels
  const perImage = c.instanceChannels * area;
  const instanceMemories = c.classes * c.imagesPerClass * perImage;
  return {
    datasetMemory, classMemories, extractors, decoder, instanceMemories, perImage,
    total: datasetMemory + classMemories + extractors + decoder + instanceMemories,
  };
}

/**
 * The largest GIPC whose total fits the budget. Throws (naming the figures) when even one generated image
 * per class does not fit, i.e. the shared parts alone are too large for the budget.
 */
export function solveImagesPerClass(shape: Omit<HmnConfig, 'imagesPerClass'>, budget: number): { config: HmnConfig; breakdown: BudgetBreakdown } {
  const probe = { ...shape, imagesPerClass: 1 };
  validateConfig(probe);
  const p = countParameters(probe);
  const shared = p.total - p.instanceMemories;
  const gipc = Math.floor((budget - shared) / (shape.classes * p.perImage));
  if (gipc < 1) {
    throw new Error(
      `budget of ${budget} floats is too small for these HMN shapes: the shared parts take ${shared} floats ` +
        `(decoder ${p.decoder}, extractors ${p.extractors}, class memories ${p.classMemories}, dataset memory ${p.datasetMemory}) ` +
        `and one image per class needs ${shape.classes * p.perImage} more`,
    );
  }
  const config = { ...shape, imagesPerClass: gipc };
  return { config, breakdown: { budget, ...countParameters(config) } };
}

export function checkWithinBudget(b: BudgetBreakdown): void {
  if (b.total > b.budget) throw new Error(`HMN stores ${b.total} floats, over its budget of ${b.budget}`);
}
