import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unzlibSync } from 'fflate';
import { crc32 } from '../../src/io/checksums.js';
import { encodePng, imageGrid } from '../../src/io/png.js';
import { Prng } from '../../src/data/random.js';
import { hasPythonModule } from '../helpers/python.js';

/** A minimal PNG decoder for 8-bit non-interlaced images: checks every chunk's CRC and undoes the filters. */
function decodePng(png: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array } {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    expect(view.getUint32(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
  const [width, height] = [ihdr.getUint32(0), ihdr.getUint32(4)];
  const channels = { 0: 1, 2: 3, 6: 4 }[chunks[0].data[9]]!;
  expect(chunks[0].data[8]).toBe(8);
  const raw = unzlibSync(chunks[1].data);
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[y * stride + i - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      const paeth = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      const prediction = [0, left, up, (left + up) >> 1, paeth][filter];
      pixels[y * stride + i] = (raw[y * (stride + 1) + 1 + i] + prediction) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Images that exercise every filter: noise, flat areas, gradients. */
function testImage(width: number, height: number, channels: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const region = (x * 3) / width | 0;
        const v = region === 0 ? rng.int(256) : region === 1 ? 17 * c + 40 : (x * 5 + y * 3 + c * 60) & 255;
        out[(y * width + x) * channels + c] = v;
      }
    }
  }
  return out;
}

const hasPil = hasPythonModule('PIL');

describe('encodePng', () => {
  const cases = [
    { width: 37, height: 23, channels: 3 as const },
    { width: 16, height: 9, channels: 1 as const },
    { width: 5, height: 31, channels: 4 as const },
    { width: 1, height: 1, channels: 3 as const },
  ];

  it('writes valid chunks whose pixels decode back exactly', () => {
    for (const { width, height, channels } of cases) {
      const pixels = testImage(width, height, channels, width);
      const decoded = decodePng(encodePng(pixels, width, height, channels));
      expect(decoded).toEqual({ width, height, channels, pixels });
    }
  });

  it.skipIf(!hasPil)('decodes identically with PIL' + (hasPil ? '' : ' (skipped: /usr/bin/python3 has no PIL)'), () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-test-'));
    const paths = cases.map(({ width, height, channels }, i) => {
      const path = join(dir, `${i}.png`);
      writeFileSync(path, encodePng(testImage(width, height, channels, width), width, height, channels));
      return path;
    });
    const script = 'import sys, json\nfrom PIL import Image\nprint(json.dumps([[Image.open(p).mode, Image.open(p).size, Image.open(p).tobytes().hex()] for p in sys.argv[1:]]))';
    const decoded = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' }));
    cases.forEach(({ width, height, channels }, i) => {
      expect(decoded[i][0]).toBe({ 1: 'L', 3: 'RGB', 4: 'RGBA' }[channels]);
      expect(decoded[i][1]).toEqual([width, height]);
      expect(decoded[i][2]).toBe(Buffer.from(testImage(width, height, channels, width)).toString('hex'));
    });
  });

  it('rejects inconsistent input', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2, 3)).toThrow('encodePng: 10 values for 2x2x3');
    expect(() => encodePng(new Uint8Array(0), 0, 2, 3)).toThrow('encodePng: invalid size 0x2');
  });
});

describe('imageGrid', () => {
  it('places NCHW images in rows with white padding, from floats or bytes', () => {
    const [n, c, h, w] = [3, 3 as const, 2, 2];
    const bytes = Uint8Array.from({ length: n * c * h * w }, (_, i) => i);
    const grid = imageGrid(bytes, n, c, h, w, 2, 1);
    expect([grid.width, grid.height, grid.channels]).toEqual([2 * (w + 1) + 1, 2 * (h + 1) + 1, 3]);
    const pixel = (x: number, y: number) => Array.from(grid.pixels.subarray((y * grid.width + x) * 3, (y * grid.width + x) * 3 + 3));
    expect(pixel(0, 0)).toEqual([255, 255, 255]);
    // Image 1 (second column), pixel (row 1, col 0): channel c is at 1*12 + c*4 + 1*2 + 0.
    expect(pixel(1 + w + 1, 1 + 1)).toEqual([14, 18, 22]);
    // Image 2 starts the second row; the empty fourth cell stays white.
    expect(pixel(1, 1 + h + 1)).toEqual([24, 28, 32]);
    expect(pixel(1 + w + 1, 1 + h + 1)).toEqual([255, 255, 255]);
    const floats = imageGrid(Float32Array.from([-1, 0.5, 2, 1]), 1, 1, 2, 2, 1, 0);
    expect(Array.from(floats.pixels)).toEqual([0, 128, 255, 255]);
  });
});
