import { describe, expect, it } from 'vitest';
import { preset, DATASETS } from '../../src/hmn/presets.js';
import { countParameters, solveImagesPerClass, budgetFloats } from '../../src/hmn/budget.js';
import type { HmnConfig } from '../../src/hmn/config.js';

/** Independent recount: walk the architecture layer by layer. */
function recount(c: HmnConfig): number {
  const m2 = c.memorySize ** 2;
  let n = c.datasetChannels * m2 + c.classes * c.classChannels * m2 + c.classes * c.imagesPerClass * c.instanceChannels * m2;
  n += c.classes * (c.extractorChannels * c.datasetChannels * c.extractorKernel ** 2 + c.extractorChannels);
  const widths = [c.extractorChannels + c.classChannels + c.instanceChannels, ...c.decoderChannels, c.image.channels];
  for (let i = 0; i + 1 < widths.length; i++) n += widths[i + 1] * widths[i] * 9 + widths[i + 1];
  return n;
}

describe('HMN budget', () => {
  it('CIFAR-10 budgets are IPC x 10 x 3 x 32 x 32 floats', () => {
    expect(budgetFloats(1, 10, DATASETS.cifar10.image)).toBe(30720);
    expect(budgetFloats(10, 10, DATASETS.cifar10.image)).toBe(307200);
    expect(budgetFloats(50, 10, DATASETS.cifar10.image)).toBe(1536000);
  });

  for (const dataset of Object.keys(DATASETS)) {
    for (const ipc of [1, 10, 50]) {
      for (const over of [0, 0.1]) {
        it(`${dataset} IPC ${ipc}${over ? ' +10%' : ''}: fits, and one more image per class would not`, () => {
          const p = preset(dataset, ipc, over);
          const b = p.breakdown;
          expect(recount(p.config)).toBe(b.total);
          expect(b.total).toBeLessThanOrEqual(b.budget);
          expect(b.budget).toBe(Math.floor(budgetFloats(ipc, DATASETS[dataset].classes, DATASETS[dataset].image) * (1 + over)));
          const more = countParameters({ ...p.config, imagesPerClass: p.config.imagesPerClass + 1 });
          expect(more.total).toBeGreaterThan(b.budget);
          expect(p.config.imagesPerClass).toBeGreaterThan(ipc);
        });
      }
    }
  }

  it('the +10% variant has more generated images than the exact budget', () => {
    expect(preset('cifar10', 10, 0.1).config.imagesPerClass).toBeGreaterThan(preset('cifar10', 10).config.imagesPerClass);
  });

  it('an impossible budget is refused with the figures', () => {
    const shape = { ...preset('cifar10', 50).config } as Partial<HmnConfig>;
    delete shape.imagesPerClass;
    expect(() => solveImagesPerClass(shape as Omit<HmnConfig, 'imagesPerClass'>, 30720)).toThrow(/too small for these HMN shapes: the shared parts take \d+ floats/);
    expect(() => preset('mnist', 1)).toThrow(/no HMN preset for dataset 'mnist'/);
    expect(() => preset('cifar10', 0)).toThrow(/IPC must be positive/);
  });
});
