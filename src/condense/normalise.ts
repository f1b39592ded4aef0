// Per-channel normalisation with the training set's statistics: the matching network sees real images
// (bytes) and synthetic images (floats on the [0, 1] scale) on the same normalised scale.
import * as E from '../../engine/index.js';
import { channelStats, MIN_CHANNEL_STD, toFloat, type ChannelStats, type ImagePixels } from '../data/dataset.js';

export class PixelNormaliser {
  readonly stats: ChannelStats;
  private meanT: E.Tensor;
  private invStdT: E.Tensor;

  constructor(private readonly data: ImagePixels) {
    const stats = channelStats(data);
    this.stats = { mean: stats.mean, std: stats.std.map((v) => Math.max(v, MIN_CHANNEL_STD)) };
    const shape = [1, data.channels, 1, 1];
    this.meanT = E.keep(E.tensor(Float32Array.from(this.stats.mean), shape));
    this.invStdT = E.keep(E.tensor(Float32Array.from(this.stats.std, (s) => 1 / s), shape));
  }

  /** Normalised real images for the given dataset indices, [n, C, H, W]. */
  real(indices: ArrayLike<number>): E.Tensor {
    const { channels: c, height: h, width: w } = this.data;
    return E.tensor(toFloat(this.data, indices, this.stats), [indices.length, c, h, w]);
  }

  /** Normalise images on the [0, 1] scale (differentiable). */
  apply(x: E.Tensor): E.Tensor {
    return E.mul(E.sub(x, this.meanT), this.invStdT);
  }

  dispose(): void {
    this.meanT.dispose();
    this.invStdT.dispose();
  }
}
