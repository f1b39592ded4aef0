// Convolution as implicit GEMM: out[m, col] = sum_k R[m, k] * S[k, col] where neither operand is
// materialised; engine/ops/conv.ts generates the index arithmetic per mode:
//   forward          m = output channel, col = (n, y, x) output pixel,  k = (c, ky, kx)   R = weights, S = input
//   backward-data    m = input channel,  col = (n, y, x) input pixel,   k = (o, ky, kx)   R = weights, S = grad
//   backward-weight  m = output channel, col = (c, ky, kx) weight tap,  k = (n, y, x)     R = grad,    S = input
// Same tiling as matmul.wgsl: TM rows (4 or 16, by the problem) x TN columns per invocation, columns WG_X apart so neighbouring
// invocations (SIMD lanes on CPU adapters) read neighbouring pixels. Zero padding and stride gaps are
// handled by masking loads; columns/rows past the edge are clamped and never stored.
struct Params {
  batch: i32, cin: i32, h: i32, w: i32,
  cout: i32, ho: i32, wo: i32, kh: i32,
  kw: i32, stride: i32, pad: i32, _p0: i32,
  gm: u32, gn: u32, gk: u32, kChunk: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read> R: array<f32>;
#if ${BIAS}
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
#else
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;
#endif

// S[i] when ok, else 0 (the index is clamped so a masked load never leaves the buffer).
fn loadS(i: i32, ok: bool) -> f32 {
  return select(0.0, S[select(0, i, ok)], ok);
}

@compute @workgroup_size(${WG_X}, ${WG_Y})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let nBase = wid.x * (${WG_X}u * ${TN}u) + lid.x;
  let mBase = wid.y * (${WG_Y}u * ${TM}u) + lid.y * ${TM}u;
  let lastN = p.gn - 1u;
  let lastM = p.gm - 1u;
  let taps = p.kh * p.kw;
  let hw = p.h * p.w;
  let howo = p.ho * p.wo;
  // Split-K: workgroup z sums k in [kBegin, kEnd) into its own slice of OUT; a reduction adds the slices.
  let kBegin = wid.z * p.kChunk;
  let kEnd = min(kBegin + p.kChunk, p.gk);
  let zOff = wid.z * p.gm * p.gn;
${DECLARE}
  for (var k = kBegin; k < kEnd; k++) {
${ACCUMULATE}
  }
${STORE}
}
