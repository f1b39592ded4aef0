// JPEG decoding with jpeg-js (pure JavaScript, so Node and the browser decode identically), to planar RGB.
import { decode } from 'jpeg-js';
import { DataError } from '../io/errors.js';

/** A JPEG's pixels as 3 x height x width; greyscale (and CMYK) images come out as RGB (R = G = B for grey). */
export function decodeJpegPlanar(bytes: Uint8Array, file: string): { pixels: Uint8Array; width: number; height: number } {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // Strict decoding: a truncated or damaged file is an error, not an image with a grey band.
    image = decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new DataError(`${file}: not a readable JPEG (${(e as Error).message})`);
  }
  const { width, height, data } = image;
  const plane = width * height;
  const pixels = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    pixels[p] = data[3 * p];
    pixels[plane + p] = data[3 * p + 1];
    pixels[2 * plane + p] = data[3 * p + 2];
  }
  return { pixels, width, height };
}
