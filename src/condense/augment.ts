// Differentiable siamese augmentation (DSA, Zhao & Bilen 2021) as used by IDC: one set of random
// parameters per outer step is drawn once and applied to both the real and the synthetic batch, so the
// matched gradients see the same transformation. Parameters are drawn per image for the larger batch and
// the first B are used for a batch of B, so both sides share them image by image.
import * as E from '../../engine/index.js';

export const AUGMENTATIONS = ['color', 'crop', 'cutout', 'flip', 'scale', 'rotate'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** Ranges follow DSA's defaults. */
export const AUGMENT_RANGES = {
  brightness: 1.0, // added: (u - 0.5) * 1.0
  saturation: 2.0, // factor: u * 2
  contrast: 0.5, // factor: u + 0.5
  cropPad: 0.125, // shift by up to 1/8 of the image size
  cutout: 0.5, // square of half the image size
  scale: 1.2, // per-axis factor in [1/1.2, 1.2]
  rotateDegrees: 15,
};

export function parseAugmentations(spec: string): Augmentation[] {
  if (spec === '' || spec === 'none') return [];
  const list = spec.split(/[_,+]/).filter(Boolean);
  for (const a of list) {
    if (!(AUGMENTATIONS as readonly string[]).includes(a)) {
      throw new Error(`unknown augmentation '${a}' in '${spec}' (choose from ${AUGMENTATIONS.join(', ')}, joined by '_')`);
    }
  }
  return list as Augmentation[];
}

export interface AugmentParams {
  count: number;
  height: number;
  width: number;
  brightness: Float32Array;
  saturation: Float32Array;
  contrast: Float32Array;
  shifts: Int32Array;
  cutouts: Int32Array;
  cutoutSize: number;
  flips: Int32Array;
  affine: Float32Array;
}

/** Draw per-image parameters for `count` images of size height x width. */
export function sampleAugment(rng: E.Random, count: number, height: number, width: number): AugmentParams {
  const R = AUGMENT_RANGES;
  const u = (n: number) => rng.uniform(n, 0, 1);
  const maxShift = Math.round(R.cropPad * height);
  const cutoutSize = Math.round(R.cutout * height);
  const affine = new Float32Array(6 * count);
  const sx = u(count), sy = u(count), rot = u(count);
  for (let i = 0; i < count; i++) {
    // Scale then rotate; sampling at A q means the content is magnified by 1/A.
    const ax = 1 / R.scale + (R.scale - 1 / R.scale) * sx[i];
    const ay = 1 / R.scale + (R.scale - 1 / R.scale) * sy[i];
    const r = ((rot[i] - 0.5) * 2 * R.rotateDegrees * Math.PI) / 180;
    affine.set([ax * Math.cos(r), -ay * Math.sin(r), 0, ax * Math.sin(r), ay * Math.cos(r), 0], 6 * i);
  }
  return {
    count,
    height,
    width,
    brightness: u(count).map((v) => (v - 0.5) * R.brightness),
    saturation: u(count).map((v) => v * R.saturation),
    contrast: u(count).map((v) => v + R.contrast),
    shifts: rng.integers(2 * count, -maxShift, maxShift + 1),
    cutouts: Int32Array.from(rng.integers(2 * count, 0, height), (v) => v - Math.floor(cutoutSize / 2)),
    cutoutSize,
    flips: rng.integers(count, 0, 2),
    affine,
  };
}

const firstImages = <T extends Float32Array | Int32Array>(a: T, n: number, per = 1): T => a.subarray(0, n * per) as T;

/** Apply the strategy's augmentations, in a fixed order, to a batch [B, C, H, W] with B <= params.count. */
export function applyAugment(x: E.Tensor, strategy: readonly Augmentation[], p: AugmentParams): E.Tensor {
  const b = x.shape[0];
  if (b > p.count) throw new Error(`augmentation parameters were drawn for ${p.count} images, batch has ${b}`);
  let y = x;
  for (const a of strategy) {
    if (a === 'color') y = E.colorJitter(y, firstImages(p.brightness, b), firstImages(p.saturation, b), firstImages(p.contrast, b));
    else if (a === 'crop') y = E.translate(y, firstImages(p.shifts, b, 2));
    else if (a === 'cutout') y = E.cutout(y, firstImages(p.cutouts, b, 2), p.cutoutSize);
    else if (a === 'flip') y = E.flipHorizontal(y, firstImages(p.flips, b));
  }
  const wantsAffine = strategy.includes('scale') || strategy.includes('rotate');
  if (wantsAffine) {
    // Scale and rotate share one resampling pass; a strategy with only one of them neutralises the other.
    const theta = Float32Array.from(firstImages(p.affine, b, 6));
    if (!strategy.includes('rotate') || !strategy.includes('scale')) neutralise(theta, strategy.includes('scale') ? 'rotate' : 'scale');
    y = E.affine(y, theta);
  }
  return y;
}

function neutralise(theta: Float32Array, drop: 'scale' | 'rotate'): void {
  for (let o = 0; o < theta.length; o += 6) {
    const ax = Math.hypot(theta[o], theta[o + 3]);
    const ay = Math.hypot(theta[o + 1], theta[o + 4]);
    const r = Math.atan2(theta[o + 3], theta[o]);
    const [sx, sy, rr] = drop === 'scale' ? [1, 1, r] : [ax, ay, 0];
    theta.set([sx * Math.cos(rr), -sy * Math.sin(rr), 0, sx * Math.sin(rr), sy * Math.cos(rr), 0], o);
  }
}
