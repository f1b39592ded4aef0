// Double-end pruning: per class, drop the k images that matter least for the budget: the floor(beta k)
// hardest (lowest AUM) and the k - floor(beta k) easiest (highest AUM). beta = 0 drops only easy images,
// beta = 1 only hard ones. Every class loses exactly k, so the classes stay balanced.
import { countParameters } from '../hmn/budget.js';
import type { HmnConfig } from '../hmn/config.js';

export interface Selection {
  /** Rows (indices into the scored images) that stay, ascending. */
  kept: number[];
  /** Rows dropped, ascending. */
  removed: number[];
  /** Per class: [hard dropped, easy dropped]. */
  perClass: { hard: number; easy: number }[];
}

/** Rows to remove per class so that an over-budget HMN's config fits `budget` (0 when it already does). */
export function prunePerClass(config: HmnConfig, budget: number): number {
  const p = countParameters(config);
  const shared = p.total - p.instanceMemories;
  const fitPerClass = Math.floor((budget - shared) / (config.classes * p.perImage));
  if (fitPerClass < 1) throw new Error(`pruning: the budget of ${budget} floats does not hold even one image per class (shared parts take ${shared})`);
  return Math.max(0, config.imagesPerClass - fitPerClass);
}

export function doubleEndSelect(aum: ArrayLike<number>, classOf: Int32Array, classes: number, k: number, beta: number): Selection {
  if (aum.length !== classOf.length) throw new Error(`doubleEndSelect: ${aum.length} scores for ${classOf.length} images`);
  if (!(Number.isInteger(k) && k >= 0)) throw new Error(`doubleEndSelect: k must be a whole number >= 0, got ${k}`);
  if (!(beta >= 0 && beta <= 1)) throw new Error(`doubleEndSelect: beta must lie in [0, 1], got ${beta}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  classOf.forEach((c, i) => {
    if (!(c >= 0 && c < classes)) throw new Error(`doubleEndSelect: image ${i} has class ${c}, outside 0..${classes - 1}`);
    byClass[c].push(i);
  });
  const hard = Math.floor(beta * k);
  const easy = k - hard;
  const drop = new Uint8Array(aum.length);
  byClass.forEach((rows, c) => {
    if (rows.length <= k) throw new Error(`doubleEndSelect: class ${c} has ${rows.length} images, cannot remove ${k} and keep any`);
    // Ascending AUM; ties keep the lower row first so the choice is deterministic.
    const sorted = [...rows].sort((a, b) => aum[a] - aum[b] || a - b);
    for (const r of sorted.slice(0, hard)) drop[r] = 1;
    for (const r of sorted.slice(sorted.length - easy)) drop[r] = 1;
  });
  const kept: number[] = [];
  const removed: number[] = [];
  drop.forEach((d, i) => (d ? removed : kept).push(i));
  return { kept, removed, perClass: byClass.map(() => ({ hard, easy })) };
}
