// An image set on disk: one safetensors file with
//   images  F32 [N, C, H, W] on the [0, 1] scale (or U8 0..255), labels I32 [N]
//   metadata: classNames (JSON), source (what wrote it), and any other strings (e.g. the method)
// `hmn decode` writes decoded HMNs this way and `hmn baseline` writes the baselines' images this way, so an
// evaluator reads every method's images with one reader.
import { DataError } from './errors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/**
 * Images as floats, [count, channels, height, width] in C order, on the [0, 1] pixel scale (learned pixels
 * may fall slightly outside; never clamped), with a label each. The evaluator, the baselines and the
 * experiment runner all pass images around in this shape.
 */
export interface FloatImages {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  classes: number;
}

/** What an image-set file says about its images besides the tensors. */
export interface ImageSetMeta {
  classNames: string[];
  /** What wrote the file, e.g. 'hmn decode', 'hmn baseline'. */
  source?: string;
  /** How the images were made, e.g. 'hmn', 'random', 'pixel-gm', 'dm'. */
  method?: string;
}

/** The safetensors bytes of an image set. `dtype: 'u8'` stores bytes (values clamped to [0, 1] first). */
export function writeImageSet(set: FloatImages, meta: ImageSetMeta, dtype: 'f32' | 'u8' = 'f32'): Uint8Array {
  const { count, channels, height, width } = set;
  const shape = [count, channels, height, width];
  if (set.images.length !== count * channels * height * width) throw new Error(`writeImageSet: ${set.images.length} values for ${count} images of ${channels}x${height}x${width}`);
  if (set.labels.length !== count) throw new Error(`writeImageSet: ${set.labels.length} labels for ${count} images`);
  if (meta.classNames.length !== set.classes) throw new Error(`writeImageSet: ${meta.classNames.length} class names for ${set.classes} classes`);
  const images = dtype === 'u8' ? Uint8Array.from(set.images, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) : set.images;
  const metadata: Record<string, string> = { classNames: JSON.stringify(meta.classNames) };
  if (meta.source !== undefined) metadata.source = meta.source;
  if (meta.method !== undefined) metadata.method = meta.method;
  return writeSafetensors({ images: { dtype: dtype === 'u8' ? 'U8' : 'F32', shape, data: images }, labels: { dtype: 'I32', shape: [count], data: set.labels } }, metadata);
}

const EXPECTED = "expected 'images' F32 or U8 [N, C, H, W] and 'labels' I32 [N], as hmn decode writes";

/**
 * An image-set file back as floats on the [0, 1] scale (U8 images are divided by 255), with its metadata.
 * Files without class names (written by other tools) are accepted: the classes are then 0..max label.
 */
export function readImageSet(bytes: Uint8Array, file = 'image set'): { images: FloatImages; classNames: string[]; metadata: Record<string, string> } {
  const { tensors, metadata } = readSafetensors(bytes, file);
  const { images, labels } = tensors;
  if (!images || images.shape.length !== 4 || (images.dtype !== 'F32' && images.dtype !== 'U8')) {
    throw new DataError(`${file}: ${images ? `'images' is ${images.dtype} [${images.shape}]` : "no 'images' tensor"}; ${EXPECTED}`);
  }
  const [count, channels, height, width] = images.shape;
  if (!labels || labels.dtype !== 'I32' || labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new DataError(`${file}: ${labels ? `'labels' is ${labels.dtype} [${labels.shape}]` : "no 'labels' tensor"} beside images [${images.shape}]; ${EXPECTED}`);
  }
  if (count === 0) throw new DataError(`${file}: holds no images`);
  const labelData = labels.data as Int32Array;
  let classNames: unknown = null;
  if (metadata.classNames !== undefined) {
    try {
      classNames = JSON.parse(metadata.classNames);
    } catch {
      throw new DataError(`${file}: the metadata's 'classNames' is not valid JSON`);
    }
    if (!Array.isArray(classNames) || classNames.length === 0) throw new DataError(`${file}: the metadata's 'classNames' is not a non-empty list`);
  }
  const names = Array.isArray(classNames)
    ? classNames.map(String)
    : Array.from({ length: labelData.reduce((m, y) => Math.max(m, y), 0) + 1 }, (_, c) => String(c));
  const classes = names.length;
  const bad = labelData.findIndex((y) => !(y >= 0 && y < classes));
  if (bad >= 0) throw new DataError(`${file}: image ${bad} has label ${labelData[bad]}, outside 0..${classes - 1}`);
  const floats = images.dtype === 'U8' ? Float32Array.from(images.data, (v) => v / 255) : (images.data as Float32Array);
  const nonFinite = floats.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0) throw new DataError(`${file}: pixel value ${floats[nonFinite]} at position ${nonFinite} is not a finite number`);
  return { images: { images: floats, labels: labelData, count, channels, height, width, classes }, classNames: names, metadata };
}
