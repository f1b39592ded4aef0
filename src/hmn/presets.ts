// Shipped HMN shapes per dataset and IPC. The budget solver turns each into GIPC; `overBudget` (e.g. 0.1)
// condenses with (1 + p) x the budget for the prune step, which later removes instance memories to fit.
// The shapes are our reconstruction (no official code exists): memories are 4x4, the decoder doubles the
// resolution per stage, and instance memories grow with IPC (48 / 128 / 192 floats), which puts CIFAR-100
// at IPC 50 near the paper's reported 673 generated images per class.
import type { HmnConfig, ImageShape } from './config.js';
import { budgetFloats, solveImagesPerClass, type BudgetBreakdown } from './budget.js';

export interface DatasetGeometry {
  name: string;
  classes: number;
  image: ImageShape;
}

export const DATASETS: Record<string, DatasetGeometry> = {
  builtin: { name: 'builtin', classes: 10, image: { channels: 3, height: 32, width: 32 } },
  svhn: { name: 'svhn', classes: 10, image: { channels: 3, height: 32, width: 32 } },
  cifar10: { name: 'cifar10', classes: 10, image: { channels: 3, height: 32, width: 32 } },
  cifar100: { name: 'cifar100', classes: 100, image: { channels: 3, height: 32, width: 32 } },
  tinyimagenet: { name: 'tinyimagenet', classes: 200, image: { channels: 3, height: 64, width: 64 } },
};

type Tier = Omit<HmnConfig, 'image' | 'classes' | 'imagesPerClass' | 'decoderChannels' | 'extractorKernel'> & { decoder: number[] };

const TIERS: Record<'small' | 'medium' | 'large', Tier> = {
  small: { memorySize: 4, datasetChannels: 16, classChannels: 8, instanceChannels: 3, extractorChannels: 8, decoder: [24, 16, 12] },
  medium: { memorySize: 4, datasetChannels: 32, classChannels: 16, instanceChannels: 8, extractorChannels: 16, decoder: [48, 32, 24] },
  large: { memorySize: 4, datasetChannels: 64, classChannels: 32, instanceChannels: 12, extractorChannels: 32, decoder: [96, 64, 48] },
};

function tierFor(ipc: number): Tier {
  return ipc < 5 ? TIERS.small : ipc < 30 ? TIERS.medium : TIERS.large;
}

export function presetShape(geometry: DatasetGeometry, ipc: number): Omit<HmnConfig, 'imagesPerClass'> {
  const { decoder, ...tier } = tierFor(ipc);
  const stages = Math.log2(geometry.image.height / tier.memorySize);
  // 64x64 images need one more stage than 32x32: repeat the last width.
  const decoderChannels = Array.from({ length: stages }, (_, i) => decoder[Math.min(i, decoder.length - 1)]);
  return {
    ...tier,
    image: geometry.image,
    classes: geometry.classes,
    decoderChannels,
    extractorKernel: geometry.classes > 10 ? 1 : 3,
  };
}

export interface Preset {
  dataset: string;
  ipc: number;
  overBudget: number;
  config: HmnConfig;
  breakdown: BudgetBreakdown;
}

export function preset(dataset: string, ipc: number, overBudget = 0): Preset {
  const geometry = DATASETS[dataset];
  if (!geometry) throw new Error(`no HMN preset for dataset '${dataset}' (known: ${Object.keys(DATASETS).join(', ')})`);
  if (!(overBudget >= 0)) throw new Error(`overBudget must be >= 0, got ${overBudget}`);
  const budget = Math.floor(budgetFloats(ipc, geometry.classes, geometry.image) * (1 + overBudget));
  const { config, breakdown } = solveImagesPerClass(presetShape(geometry, ipc), budget);
  return { dataset, ipc, overBudget, config, breakdown };
}
