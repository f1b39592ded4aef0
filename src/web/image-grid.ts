// Decoded images on a canvas: the first few images of every class, one row per class (the layout of the
// CLI's images.png), drawn from the HMN's current parameters.
import { decodeAll } from '../hmn/decode-all.js';
import type { Hmn } from '../hmn/model.js';
import { encodePng, imageGrid, type PixelImage } from '../io/png.js';

/** Classes shown at most (Tiny-ImageNet has 200; the overview stays readable). */
const MAX_CLASSES = 50;

/** The first `columns` decoded images of each class, one row per class, white where a class has fewer. */
export async function overviewGrid(hmn: Hmn, columns: number): Promise<PixelImage> {
  const { channels, height, width } = hmn.config.image;
  const per = channels * height * width;
  const classes = Math.min(hmn.classes, MAX_CLASSES);
  const rows: number[] = [];
  const slots: number[] = [];
  for (let c = 0; c < classes; c++) {
    hmn.rowsOfClass(c).slice(0, columns).forEach((r, k) => {
      rows.push(r);
      slots.push(c * columns + k);
    });
  }
  const decoded = await decodeAll(hmn, { rows });
  const images = new Float32Array(classes * columns * per).fill(1);
  slots.forEach((slot, i) => images.set(decoded.images.subarray(i * per, (i + 1) * per), slot * per));
  return imageGrid(images, classes * columns, channels as 1 | 3, height, width, columns);
}

/** Draw a grid into a canvas (RGBA), scaled up by CSS with crisp pixels. */
export function drawGrid(canvas: HTMLCanvasElement, grid: PixelImage): void {
  canvas.width = grid.width;
  canvas.height = grid.height;
  const rgba = new ImageData(grid.width, grid.height);
  for (let p = 0, n = grid.width * grid.height; p < n; p++) {
    for (let k = 0; k < 3; k++) rgba.data[4 * p + k] = grid.pixels[p * grid.channels + (grid.channels === 1 ? 0 : k)];
    rgba.data[4 * p + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

/** images.png: the same overview as a PNG file. */
export const gridPng = (grid: PixelImage) => encodePng(grid.pixels, grid.width, grid.height, grid.channels as 1 | 3 | 4);
