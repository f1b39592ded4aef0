// PNG encoding (8-bit greyscale, RGB or RGBA) and image grids, in plain TypeScript plus fflate's deflate,
// so the same code writes a run's images.png in Node and offers a download in the browser.
// A PNG is the signature, then chunks <u32 length><4-byte type><data><u32 CRC-32 of type + data>:
// IHDR (size and pixel format), IDAT (the zlib-compressed, per-row-filtered pixels), IEND.
import { zlibSync } from 'fflate';
import { crc32 } from './checksums.js';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const COLOUR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 }; // grey, RGB, RGBA

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * One filtered row: the filter byte, then the row's bytes minus their prediction. Tries the five PNG
 * filters and keeps the one with the smallest sum of |signed residuals| (the usual heuristic: small
 * residuals compress well). The first row has a row of zeros above it, as the format defines.
 */
function filterRow(row: Uint8Array, above: Uint8Array | null, bpp: number, out: Uint8Array): void {
  const n = row.length;
  let best = Infinity;
  const trial = new Uint8Array(n);
  for (let filter = 0; filter < 5; filter++) {
    let cost = 0;
    for (let i = 0; i < n; i++) {
      const left = i >= bpp ? row[i - bpp] : 0;
      const up = above ? above[i] : 0;
      const upLeft = above && i >= bpp ? above[i - bpp] : 0;
      const prediction = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : paeth(left, up, upLeft);
      const r = (row[i] - prediction) & 0xff;
      trial[i] = r;
      cost += r < 128 ? r : 256 - r;
    }
    if (cost < best) {
      best = cost;
      out[0] = filter;
      out.set(trial, 1);
    }
  }
}

/** A PNG file of 8-bit pixels stored row by row, `channels` interleaved values per pixel. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4 = 3): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new Error(`encodePng: invalid size ${width}x${height}`);
  }
  if (!(channels in COLOUR_TYPE)) throw new Error(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (pixels.length !== stride * height) throw new Error(`encodePng: ${pixels.length} values for ${width}x${height}x${channels}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, COLOUR_TYPE[channels], 0, 0, 0], 8); // bit depth 8, colour type, deflate, adaptive filters, no interlace
  const filtered = new Uint8Array(height * (1 + stride));
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    filterRow(row, above, channels, filtered.subarray(y * (1 + stride), (y + 1) * (1 + stride)));
  }
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibSync(filtered, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface PixelImage {
  pixels: Uint8Array; // height x width x channels, interleaved
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/**
 * `count` images [N, C, H, W] (floats in [0, 1], clamped, or bytes 0..255) laid out left to right in rows
 * of `columns`, `padding` white pixels around and between them; ready for encodePng.
 */
export function imageGrid(
  images: Float32Array | Uint8Array,
  count: number,
  channels: 1 | 3 | 4,
  height: number,
  width: number,
  columns: number,
  padding = 2,
): PixelImage {
  const plane = height * width;
  if (images.length < count * channels * plane) throw new Error(`imageGrid: ${images.length} values for ${count} images of ${channels}x${height}x${width}`);
  if (!(columns >= 1) || !(padding >= 0)) throw new Error(`imageGrid: columns must be >= 1 and padding >= 0`);
  const cols = Math.min(columns, Math.max(1, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  const gridWidth = cols * (width + padding) + padding;
  const gridHeight = rows * (height + padding) + padding;
  const pixels = new Uint8Array(gridWidth * gridHeight * channels).fill(255);
  const toByte = images instanceof Uint8Array ? (v: number) => v : (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let i = 0; i < count; i++) {
    const left = padding + (i % cols) * (width + padding);
    const top = padding + Math.floor(i / cols) * (height + padding);
    for (let c = 0; c < channels; c++) {
      const source = (i * channels + c) * plane;
      for (let y = 0; y < height; y++) {
        let at = ((top + y) * gridWidth + left) * channels + c;
        for (let x = 0; x < width; x++, at += channels) pixels[at] = toByte(images[source + y * width + x]);
      }
    }
  }
  return { pixels, width: gridWidth, height: gridHeight, channels };
}
