// Direct convolution, one invocation per output element, NCHW in place: the forward pass, backward-data
// (dL/dx from dL/dy) and backward-weight (dL/dw). No packing passes and no tiles, so it wins on tiny
// problems, and its plain loops are the reference the tiled kernels are debugged against.
struct Params {
  batch: i32, cin: i32, h: i32, w: i32,
  cout: i32, ho: i32, wo: i32, kh: i32,
  kw: i32, stride: i32, pad: i32, total: i32,
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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = i32(gid.x + gid.y * nwg.x * 64u);
  if (i >= p.total) { return; }
  var acc = 0.0;
#if ${FORWARD}
  // S = x [N, C, H, W], R = w [O, C, kh, kw]; i indexes y [N, O, Ho, Wo].
  let x = i % p.wo;
  let y = (i / p.wo) % p.ho;
  let o = (i / (p.wo * p.ho)) % p.cout;
  let n = i / (p.wo * p.ho * p.cout);
  for (var c = 0; c < p.cin; c++) {
    for (var ky = 0; ky < p.kh; ky++) {
      let iy = y * p.stride - p.pad + ky;
      if (iy < 0 || iy >= p.h) { continue; }
      for (var kx = 0; kx < p.kw; kx++) {
        let ix = x * p.stride - p.pad + kx;
        if (ix < 0 || ix >= p.w) { continue; }
        acc += S[((n * p.cin + c) * p.h + iy) * p.w + ix] * R[((o * p.cin + c) * p.kh + ky) * p.kw + kx];
      }
    }
  }
#if ${BIAS}
  acc += bias[o];
#endif
#elif ${BACKWARD_DATA}
  // S = dL/dy [N, O, Ho, Wo], R = w [O, C, kh, kw]; i indexes dL/dx [N, C, H, W].
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let c = (i / (p.w * p.h)) % p.cin;
  let n = i / (p.w * p.h * p.cin);
  for (var ky = 0; ky < p.kh; ky++) {
    let ty = y + p.pad - ky;
    let oy = ty / p.stride;
    if (ty < 0 || oy * p.stride != ty || oy >= p.ho) { continue; }
    for (var kx = 0; kx < p.kw; kx++) {
      let tx = x + p.pad - kx;
      let ox = tx / p.stride;
      if (tx < 0 || ox * p.stride != tx || ox >= p.wo) { continue; }
      for (var o = 0; o < p.cout; o++) {
        acc += S[((n * p.cout + o) * p.ho + oy) * p.wo + ox] * R[((o * p.cin + c) * p.kh + ky) * p.kw + kx];
      }
    }
  }
#else
  // S = x [N, C, H, W], R = dL/dy [N, O, Ho, Wo]; i indexes dL/dw [O, C, kh, kw].
  let kx = i % p.kw;
  let ky = (i / p.kw) % p.kh;
  let c = (i / (p.kw * p.kh)) % p.cin;
  let o = i / (p.kw * p.kh * p.cin);
  for (var n = 0; n < p.batch; n++) {
    for (var oy = 0; oy < p.ho; oy++) {
      let iy = oy * p.stride - p.pad + ky;
      if (iy < 0 || iy >= p.h) { continue; }
      for (var ox = 0; ox < p.wo; ox++) {
        let ix = ox * p.stride - p.pad + kx;
        if (ix < 0 || ix >= p.w) { continue; }
        acc += S[((n * p.cin + c) * p.h + iy) * p.w + ix] * R[((n * p.cout + o) * p.ho + oy) * p.wo + ox];
      }
    }
  }
#endif
  OUT[i] = acc;
}
