// `hmn decode <run dir>`: the condensed dataset as images, ready for training elsewhere:
//   --format safetensors   one file: images F32 [N, C, H, W] in [0, 1] (or U8 with --dtype u8), labels I32 [N]
//   --format png           a folder per class (index-name), one PNG per generated image
import { join, resolve } from 'node:path';
import * as E from '../../engine/index.js';
import { parseOptions, positionalAndOptions, UsageError, type OptionTable } from './args.js';
import { ProgressBar } from './progress.js';
import { decodeHmn } from '../condense/checkpoint.js';
import { decodeAll } from '../hmn/decode-all.js';
import { writeImageSet } from '../io/image-set.js';
import { encodePng, imageGrid } from '../io/png.js';
import { writeFileAtomic } from '../node/atomic.js';
import { loadTuningFile } from '../node/tuning-file.js';
import { classFileName, readRunFile, RUN_FILES } from '../node/run-dir.js';

export const DECODE_OPTIONS: OptionTable = {
  format: { type: 'string', default: 'safetensors', choices: ['safetensors', 'png'], help: 'output format' },
  dtype: { type: 'string', default: 'f32', choices: ['f32', 'u8'], help: 'safetensors: pixel type (f32 in [0, 1], or u8 0..255)' },
  out: { type: 'string', help: 'output file (safetensors) or folder (png); default: decoded.safetensors or decoded/ in the run directory' },
  batch: { type: 'int', default: 256, help: 'images decoded per GPU batch' },
};

export async function decode(argv: string[]): Promise<void> {
  const [dir, rest] = positionalAndOptions(argv, 'run directory', 'decode');
  const o = parseOptions(rest, DECODE_OPTIONS, 'decode');
  if (!((o.batch as number) >= 1)) throw new UsageError(`decode: --batch must be at least 1, got ${o.batch}`);
  await E.initEngine();
  loadTuningFile();
  const { hmn, classNames } = decodeHmn(readRunFile(dir, RUN_FILES.hmn), join(dir, RUN_FILES.hmn));
  try {
    const bar = new ProgressBar('decode');
    const decoded = await decodeAll(hmn, { batch: o.batch as number, onProgress: (done, total) => bar.update({ done, total }) });
    bar.finish();
    const { channels, height, width } = hmn.config.image;
    const shape = [decoded.count, channels, height, width];
    if (o.format === 'safetensors') {
      const out = resolve((o.out as string | undefined) ?? join(dir, 'decoded.safetensors'));
      const set = { images: decoded.images, labels: decoded.labels, count: decoded.count, channels, height, width, classes: hmn.config.classes };
      writeFileAtomic(out, writeImageSet(set, { classNames, source: 'hmn decode' }, o.dtype as 'f32' | 'u8'));
      console.log(`${decoded.count} images [${shape}] with labels: ${out}`);
    } else {
      const out = resolve((o.out as string | undefined) ?? join(dir, 'decoded'));
      const per = channels * height * width;
      const seen = new Array(hmn.config.classes).fill(0);
      for (let i = 0; i < decoded.count; i++) {
        const c = decoded.labels[i];
        const png = imageGrid(decoded.images.subarray(i * per, (i + 1) * per), 1, channels as 1 | 3, height, width, 1, 0);
        const folder = classFileName(c, classNames[c] ?? String(c)).replace(/\.png$/, '');
        writeFileAtomic(join(out, folder, `${String(seen[c]++).padStart(5, '0')}.png`), encodePng(png.pixels, png.width, png.height, png.channels));
      }
      console.log(`${decoded.count} PNG images in ${hmn.config.classes} class folders: ${out}`);
    }
  } finally {
    hmn.dispose();
  }
}
