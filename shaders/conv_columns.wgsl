// Column form of a convolution with few input channels: the (c, ky, kx) window of every output pixel
// becomes one reduction axis, so a 3-channel first layer fills whole vec4 blocks (27 of 28 lanes instead
// of 3 of 4 per tap) and runs as a 1x1 convolution.
//   IM2COL  packed columns [N][Ho][Wo][K/4] (K = C kh kw, zero-padded) from x [N, C, H, W];
//           grid (Ho Wo, N)
//   else    col2im: dx [N, C, H, W] = sum over taps of the columns [N, K, Ho, Wo] that read each pixel;
//           grid (H W, N C)
// Indices come from the grid and loop counters: a vector division is a per-lane loop on lavapipe.
struct Params {
  chans: i32, h: i32, w: i32, ho: i32,
  wo: i32, kh: i32, kw: i32, stride: i32,
  pad: i32, blocks: i32, _p0: i32, _p1: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
#if ${IM2COL}
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;
#else
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
#endif

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let pix = i32(gid.x);
  let plane = i32(gid.y);
#if ${IM2COL}
  if (pix >= p.ho * p.wo) { return; }
  let oy = pix / p.wo;
  let ox = pix - oy * p.wo;
  let to = (plane * p.ho * p.wo + pix) * p.blocks;
  var block = vec4f(0.0);
  var q = 0;
  var b = 0;
  for (var c = 0; c < p.chans; c++) {
    for (var ky = 0; ky < p.kh; ky++) {
      let iy = oy * p.stride - p.pad + ky;
      for (var kx = 0; kx < p.kw; kx++) {
        let ix = ox * p.stride - p.pad + kx;
        var v = 0.0;
        if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) { v = src[((plane * p.chans + c) * p.h + iy) * p.w + ix]; }
        block[q] = v;
        q++;
        if (q == 4) {
          dst[to + b] = block;
          b++;
          q = 0;
          block = vec4f(0.0);
        }
      }
    }
  }
  if (q > 0) { dst[to + b] = block; }
#else
  if (pix >= p.h * p.w) { return; }
  let y = pix / p.w;
  let x = pix - y * p.w;
  let taps = p.kh * p.kw;
  let c = plane % p.chans;
  let n = plane / p.chans;
  var acc = 0.0;
  for (var ky = 0; ky < p.kh; ky++) {
#if ${STRIDE1}
    let oy = y + p.pad - ky;
    if (oy < 0 || oy >= p.ho) { continue; }
#else
    let ty = y + p.pad - ky;
    let oy = ty / p.stride;
    if (ty < 0 || oy * p.stride != ty || oy >= p.ho) { continue; }
#endif
    for (var kx = 0; kx < p.kw; kx++) {
#if ${STRIDE1}
      let ox = x + p.pad - kx;
      if (ox < 0 || ox >= p.wo) { continue; }
#else
      let tx = x + p.pad - kx;
      let ox = tx / p.stride;
      if (tx < 0 || ox * p.stride != tx || ox >= p.wo) { continue; }
#endif
      acc += src[(((n * p.chans + c) * taps + ky * p.kw + kx) * p.ho + oy) * p.wo + ox];
    }
  }
  dst[plane * p.h * p.w + pix] = acc;
#endif
}
