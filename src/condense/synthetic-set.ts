// What a condenser optimises: a set of synthetic images of every class, produced from learnable tensors.
// The HMN (images decoded from memories) and the pixel baseline (images stored as they are) both are one,
// so gradient matching runs the same loop and the same loss over either.
import type * as E from '../../engine/index.js';
import type { ImageShape } from '../hmn/config.js';

export type { ImageShape };

export interface SyntheticSet {
  readonly classes: number;
  readonly image: ImageShape;
  /** How many images the set produces (rows are numbered 0..rows-1). */
  readonly rows: number;
  /** The rows whose images belong to class c. */
  rowsOfClass(c: number): number[];
  /** Images of the given rows, [n, C, H, W] on the [0, 1] pixel scale; differentiable in parameters(). */
  decode(rows: ArrayLike<number>): E.Tensor;
  /** The learnable leaves (every one counts against the storage budget). */
  parameters(): E.Tensor[];
  /**
   * Which of parameters() are network weights (an HMN's extractors and decoder) rather than memories or
   * pixels: the condenser scales their learning rate by hyper.networkLrScale. Absent: none are.
   */
  networkParameters?(): boolean[];
}
