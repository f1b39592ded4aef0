// Decoding a whole HMN (or a subset of its rows) in batches, so memory stays bounded however many images
// it generates. Images come back as floats in [0, 1], [N, C, H, W], with each image's class.
import * as E from '../../engine/index.js';
import type { Hmn } from './model.js';

export interface DecodedImages {
  images: Float32Array;
  labels: Int32Array;
  /** The instance-memory row each image was decoded from. */
  rows: Int32Array;
  count: number;
}

export async function decodeAll(
  hmn: Hmn,
  options: { rows?: ArrayLike<number>; batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<DecodedImages> {
  const rows = Int32Array.from(options.rows ?? Array.from({ length: hmn.rows }, (_, r) => r));
  const batch = options.batch ?? 256;
  if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`decodeAll: batch must be a whole number >= 1, got ${batch}`);
  const { channels, height, width } = hmn.config.image;
  const per = channels * height * width;
  const images = new Float32Array(rows.length * per);
  for (let start = 0; start < rows.length; start += batch) {
    const part = rows.subarray(start, Math.min(rows.length, start + batch));
    const decoded = E.noGrad(() => E.tidy(() => hmn.decode(part)));
    images.set(await decoded.floats(), start * per);
    decoded.dispose();
    options.onProgress?.(start + part.length, rows.length);
  }
  return { images, labels: Int32Array.from(rows, (r) => hmn.instanceClass[r]), rows, count: rows.length };
}
