// Nearest and bilinear resizing (the HMN decoder's upsampling), PyTorch semantics. The backward of each is
// its adjoint kernel, recorded as an op whose own backward is the forward resize: any order works.
import { Tensor, empty } from '../tensor.js';
import { runtime } from '../runtime.js';
import { record } from '../autodiff.js';
import { fmt } from '../shape.js';

type Kind = 'nearest' | 'bilinear';

/** PyTorch's float32 source-coordinate scale along one axis, and its inverse (bounds the adjoint's search). */
function axisScales(inSize: number, outSize: number, kind: Kind, alignCorners: boolean): [number, number] {
  if (kind === 'bilinear' && alignCorners) {
    return [outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : 0, inSize > 1 ? (outSize - 1) / (inSize - 1) : 0];
  }
  return [Math.fround(inSize / outSize), outSize / inSize];
}

const DEFINES = {
  nearest: { forward: { BILINEAR: false, ADJOINT: false }, adjoint: { BILINEAR: false, ADJOINT: true } },
  bilinear: { forward: { BILINEAR: true, ADJOINT: false }, adjoint: { BILINEAR: true, ADJOINT: true } },
};

function resize(x: Tensor, size: readonly [number, number], kind: Kind, alignCorners: boolean, adjoint: boolean, inShape?: readonly number[]): Tensor {
  const [n, c, h, w] = adjoint ? inShape! : x.shape;
  const [ho, wo] = size;
  const out = empty(adjoint ? inShape! : [n, c, ho, wo]);
  const [sy, iy] = axisScales(h, ho, kind, alignCorners);
  const [sx, ix] = axisScales(w, wo, kind, alignCorners);
  // One invocation per pixel of what is written (the output, or for the adjoint the input).
  const [gh, gw] = adjoint ? [h, w] : [ho, wo];
  runtime().dispatcher.run({
    shader: 'upsample',
    defines: DEFINES[kind][adjoint ? 'adjoint' : 'forward'],
    buffers: [x.buffer, out.buffer],
    ints: [n * c, h, w, ho, wo, alignCorners ? 1 : 0],
    floats: [sy, sx, iy, ix],
    workgroups: [Math.ceil(gw / 16), Math.ceil(gh / 4), Math.min(adjoint ? Math.ceil((n * c) / 4) : n * c, 65535)],
  });
  return out;
}

function check(op: string, x: Tensor, size: readonly number[]): void {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`${op}: expected an f32 [N, C, H, W] tensor, got ${x.dtype} ${fmt(x.shape)}`);
  if (size.length !== 2 || size.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`${op}: size must be two positive integers, got [${size.join(', ')}]`);
}

function forward(op: string, x: Tensor, size: [number, number], kind: Kind, alignCorners: boolean): Tensor {
  check(op, x, size);
  const out = resize(x, size, kind, alignCorners, false);
  return record(op, out, [x], (g) => [adjointOf(g, x.shape, size, kind, alignCorners)]);
}

/** The backward of a resize from `inShape` to `size`: maps a gradient of the output back to the input. */
function adjointOf(g: Tensor, inShape: readonly number[], size: [number, number], kind: Kind, alignCorners: boolean): Tensor {
  const out = resize(g, size, kind, alignCorners, true, inShape);
  return record(`${kind}ResizeBackward`, out, [g], (u) => [forward(`${kind}Resize`, u, size, kind, alignCorners)]);
}

export function upsampleNearest(x: Tensor, size: [number, number]): Tensor {
  return forward('upsampleNearest', x, size, 'nearest', false);
}

export function upsampleBilinear(x: Tensor, size: [number, number], alignCorners = false): Tensor {
  return forward('upsampleBilinear', x, size, 'bilinear', alignCorners);
}
