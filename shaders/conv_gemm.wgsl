// Implicit-GEMM convolution over packed operands, shared by the forward pass and backward-data:
//   out[n, m, y, x] = sum over taps (ky, kx) and reduction channels k of A[tap][m][k] * B[n][sy][sx][k]
// where (sy, sx) is the source pixel of output pixel (y, x) at that tap:
//   forward        m = output channel, k = input channel,  B = input,           sy = y * stride - pad + ky
//   backward-data  m = input channel,  k = output channel, B = output gradient, sy = (y + pad - ky) / stride
//                  (a tap contributes only where that division is exact)
// A and B hold k innermost in vec4 blocks (shaders/conv_pack.wgsl), so one vec4 load feeds four reduction
// steps. Each invocation owns TM rows x TN output pixels, its pixels WG apart: the lanes of a SIMD group
// hold neighbouring pixels and all need the same rows. With subgroups, lane l loads the A block of row
// (8 g + l) and subgroupBroadcast hands it to the others, so one load serves eight rows. The tap loops sit
// outside the channel loop: padding masks and source offsets are computed once per tap, not per step.
// engine/ops/conv.ts generates the unrolled per-step body; rows/pixels past the edge are clamped for
// loading and never stored. The stores run as a loop over an array of the results: unrolled, their
// guarded per-lane stores made up most of lavapipe's compile time (8 of 10 s) for no speed.
// The grid's z axis runs independent GEMMs of the same shape (Winograd's transform positions): each one's
// A, B and output start zA, zB (vec4s) and zOut (floats) after the previous one's; 0 for a convolution.
#if ${SUBGROUPS}
enable subgroups;
#endif

struct Params {
  blocks: i32, rows: i32, h: i32, w: i32,
  ho: i32, wo: i32, kh: i32, kw: i32,
  stride: i32, pad: i32, npix: i32, _p0: i32,
  zA: i32, zB: i32, zOut: i32, _p1: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> B: array<vec4f>;
@group(0) @binding(2) var<storage, read> A: array<vec4f>;
#if ${BIAS}
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
#else
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;
#endif

// Offset of the source pixel of (y, x) at tap (ky, kx) in image `img` of B, or -1 where there is none.
fn source(img: i32, y: i32, x: i32, ky: i32, kx: i32) -> i32 {
#if ${FORWARD}
  let sy = y * p.stride - p.pad + ky;
  let sx = x * p.stride - p.pad + kx;
  let exact = true;
#elif ${STRIDE1}
  let sy = y + p.pad - ky;
  let sx = x + p.pad - kx;
  let exact = true;
#else
  let ty = y + p.pad - ky;
  let tx = x + p.pad - kx;
  let sy = ty / p.stride;
  let sx = tx / p.stride;
  let exact = ty >= 0 && tx >= 0 && sy * p.stride == ty && sx * p.stride == tx;
#endif
  let inside = u32(sy) < u32(p.h) && u32(sx) < u32(p.w);
  return select(-1, ((img * p.h + sy) * p.w + sx) * p.blocks, exact && inside);
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u${LANE_PARAM}) {
  let mBase = i32(wid.y) * ${TM};
  let first = i32(wid.x) * ${WG} * ${TN} + i32(lid.x);
  let howo = p.ho * p.wo;
  let lastPix = p.npix - 1;
  let lastRow = p.rows - 1;
  let zA = i32(wid.z) * p.zA;
  let zB = i32(wid.z) * p.zB;
${SETUP}
  for (var ky = 0; ky < p.kh; ky++) {
    for (var kx = 0; kx < p.kw; kx++) {
      let tap = ky * p.kw + kx;
${PER_TAP}
      for (var k = 0; k < p.blocks; k++) {
${STEP}
      }
    }
  }
  var result: array<f32, ${TM} * ${TN}>;
${RESULTS}
  var pixelAt: array<i32, ${TN}>;
${PIXELS}
  for (var i = 0; i < ${TM}; i++) {
    let m = mBase + i;
    if (m >= p.rows) { break; }
#if ${BIAS}
    let b = bias[m];
#else
    let b = 0.0;
#endif
    for (var j = 0; j < ${TN}; j++) {
      if (first + j * ${WG} < p.npix) { OUT[i32(wid.z) * p.zOut + pixelAt[j] + m * howo] = result[i * ${TN} + j] + b; }
    }
  }
}
