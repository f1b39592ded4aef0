// Per-image affine resampling with bilinear interpolation and zero padding (scale / rotate augmentation).
// Pixel centres are normalised to [-1, 1] (align_corners = false); output pixel q samples the input at
// T(q) = A q + t with theta[n] = [a00, a01, t0, a10, a11, t1].
//   FORWARD: out[q] = sum over the 4 neighbours p of T(q) of bilinear weight * src[p]
//   ADJOINT: out[p] = sum over output pixels q whose T(q) has p as a neighbour of weight * src[q]
// The adjoint is computed as a gather (no float atomics in WGSL): the q that can reach p lie in the
// bounding box of T^-1 applied to p's 2x2-pixel neighbourhood, passed in thetaInv.
struct Params { n: u32, c: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;    // [n, 6] forward map
@group(0) @binding(3) var<storage, read> thetaInv: array<f32>; // [n, 6] inverse map
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn toNorm(i: f32, size: u32) -> f32 { return (2.0 * i + 1.0) / f32(size) - 1.0; }
fn toPix(v: f32, size: u32) -> f32 { return ((v + 1.0) * f32(size) - 1.0) * 0.5; }

// Sample position (in input pixels) of output pixel (qx, qy) of image n.
fn samplePos(n: u32, qx: u32, qy: u32) -> vec2f {
  let b = n * 6u;
  let u = toNorm(f32(qx), p.w);
  let v = toNorm(f32(qy), p.h);
  let sx = theta[b] * u + theta[b + 1u] * v + theta[b + 2u];
  let sy = theta[b + 3u] * u + theta[b + 4u] * v + theta[b + 5u];
  return vec2f(toPix(sx, p.w), toPix(sy, p.h));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n * p.c * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let plane = i / (p.h * p.w);       // n * c + channel
  let n = plane / p.c;
  let base = plane * p.h * p.w;
#if ${ADJOINT}
  // Which output pixels q can sample near input pixel (x, y)? Map the box [x-1, x+1] x [y-1, y+1] back.
  let b = n * 6u;
  var lo = vec2f(1e9, 1e9);
  var hi = vec2f(-1e9, -1e9);
  for (var k = 0u; k < 4u; k++) {
    let cx = toNorm(f32(x) + select(-1.0, 1.0, (k & 1u) == 1u), p.w);
    let cy = toNorm(f32(y) + select(-1.0, 1.0, (k & 2u) == 2u), p.h);
    let qx = toPix(thetaInv[b] * cx + thetaInv[b + 1u] * cy + thetaInv[b + 2u], p.w);
    let qy = toPix(thetaInv[b + 3u] * cx + thetaInv[b + 4u] * cy + thetaInv[b + 5u], p.h);
    lo = min(lo, vec2f(qx, qy));
    hi = max(hi, vec2f(qx, qy));
  }
  let x0 = u32(clamp(floor(lo.x), 0.0, f32(p.w - 1u)));
  let x1 = u32(clamp(ceil(hi.x), 0.0, f32(p.w - 1u)));
  let y0 = u32(clamp(floor(lo.y), 0.0, f32(p.h - 1u)));
  let y1 = u32(clamp(ceil(hi.y), 0.0, f32(p.h - 1u)));
  var acc = 0.0;
  for (var qy = y0; qy <= y1; qy++) {
    for (var qx = x0; qx <= x1; qx++) {
      let s = samplePos(n, qx, qy);
      let wx = max(0.0, 1.0 - abs(s.x - f32(x)));
      let wy = max(0.0, 1.0 - abs(s.y - f32(y)));
      acc += wx * wy * src[base + qy * p.w + qx];
    }
  }
  out[i] = acc;
#else
  _ = thetaInv[0]; // bound in both directions so one layout serves both
  let s = samplePos(n, x, y);
  let fx = floor(s.x);
  let fy = floor(s.y);
  var acc = 0.0;
  for (var k = 0u; k < 4u; k++) {
    let px = fx + f32(k & 1u);
    let py = fy + f32((k >> 1u) & 1u);
    if (px >= 0.0 && py >= 0.0 && px < f32(p.w) && py < f32(p.h)) {
      let wgt = (1.0 - abs(s.x - px)) * (1.0 - abs(s.y - py));
      acc += wgt * src[base + u32(py) * p.w + u32(px)];
    }
  }
  out[i] = acc;
#endif
}
