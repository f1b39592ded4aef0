// Resizing NCHW planes from h x w to ho x wo with PyTorch's coordinate rules; `scale` per axis is
// PyTorch's float32 scale, computed on the CPU (in / out; (in - 1) / (out - 1) with align_corners).
//   NEAREST:  src = min(floor(dst * scale), in - 1)
//   BILINEAR: align_corners = false: src = max(scale * (dst + 0.5) - 0.5, 0)
//             align_corners = true:  src = scale * dst
//             interpolating between floor(src) and min(floor(src) + 1, in - 1)
// ADJOINT (the backward): each input pixel gathers, with the same weights, from the output pixels that
// read it (readers(), per axis).
// A 3-D grid (x, y, plane; four planes per invocation in the adjoint) gives coordinates without integer
// division, which CPU adapters emulate lane by lane; planes beyond the grid's 65535 are looped over.
struct Params {
  planes: u32, h: u32, w: u32, ho: u32, wo: u32, alignCorners: u32,
  scaleY: f32, scaleX: f32, invY: f32, invX: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// Source coordinate of output index d along an axis.
fn source(d: u32, scale: f32) -> f32 {
#if ${BILINEAR}
  if (p.alignCorners != 0u) { return scale * f32(d); }
  return max(scale * (f32(d) + 0.5) - 0.5, 0.0);
#else
  return f32(d) * scale;
#endif
}

// The first input index output d reads along an axis of `inSize` samples, and the last.
fn firstTap(d: u32, inSize: u32, scale: f32) -> u32 { return min(u32(floor(source(d, scale))), inSize - 1u); }
fn lastTap(d: u32, inSize: u32, scale: f32) -> u32 {
#if ${BILINEAR}
  return min(firstTap(d, inSize, scale) + 1u, inSize - 1u);
#else
  return firstTap(d, inSize, scale);
#endif
}

// Weight with which output index d reads input index i along an axis of `inSize` samples.
fn weight(d: u32, i: u32, inSize: u32, scale: f32) -> f32 {
  let s = source(d, scale);
  let i0 = min(u32(floor(s)), inSize - 1u);
#if ${BILINEAR}
  let i1 = min(i0 + 1u, inSize - 1u);
  let l = s - f32(i0);
  return select(0.0, 1.0 - l, i == i0) + select(0.0, l, i == i1);
#else
  return select(0.0, 1.0, i == i0);
#endif
}

// The output indices [lo, hi) along an axis that read input index i. Both taps grow with d, so these are
// a contiguous run: estimated by inverting the coordinate rule (`inv` is out / in, or (out - 1) / (in - 1)),
// then corrected by stepping, with the forward's own arithmetic, until exact.
fn readers(i: u32, inSize: u32, outSize: u32, scale: f32, inv: f32) -> vec2u {
  let fi = f32(i);
#if ${BILINEAR}
  // Output d reads floor(s(d)) and floor(s(d)) + 1, so it touches i when s(d) lies in [i - 1, i + 1).
  var lo: f32;
  var hi: f32;
  if (p.alignCorners != 0u) {
    lo = (fi - 1.0) * inv;
    hi = (fi + 1.0) * inv;
  } else {
    lo = (fi - 0.5) * inv - 0.5;
    hi = (fi + 1.5) * inv - 0.5;
  }
#else
  // Output d reads floor(d * scale), which is i for d in [i * out / in, (i + 1) * out / in).
  let lo = fi * inv;
  let hi = (fi + 1.0) * inv;
#endif
  var a = min(outSize, u32(max(0.0, floor(lo))));
  var b = min(outSize, u32(max(0.0, ceil(hi))));
  loop { if (a == 0u || lastTap(a - 1u, inSize, scale) < i) { break; } a--; }
  loop { if (a >= outSize || lastTap(a, inSize, scale) >= i) { break; } a++; }
  loop { if (b >= outSize || firstTap(b, inSize, scale) > i) { break; } b++; }
  loop { if (b == 0u || firstTap(b - 1u, inSize, scale) <= i) { break; } b--; }
  return vec2u(a, b);
}

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
#if ${ADJOINT}
  let ix = gid.x;
  let iy = gid.y;
  if (ix >= p.w || iy >= p.h) { return; }
  let ys = readers(iy, p.h, p.ho, p.scaleY, p.invY);
  let xs = readers(ix, p.w, p.wo, p.scaleX, p.invX);
  // Four planes per invocation share the weights, which cost more than the loads they scale.
  for (var plane0 = gid.z * 4u; plane0 < p.planes; plane0 += nwg.z * 4u) {
    let last = p.planes - 1u;
    let rows = vec4u(min(plane0, last), min(plane0 + 1u, last), min(plane0 + 2u, last), min(plane0 + 3u, last)) * p.ho;
    var acc = vec4f(0.0);
    for (var oy = ys.x; oy < ys.y; oy++) {
      let wy = weight(oy, iy, p.h, p.scaleY);
      if (wy == 0.0) { continue; }
      let r = (rows + oy) * p.wo;
      for (var ox = xs.x; ox < xs.y; ox++) {
        let g = vec4f(src[r.x + ox], src[r.y + ox], src[r.z + ox], src[r.w + ox]);
        acc += (wy * weight(ox, ix, p.w, p.scaleX)) * g;
      }
    }
    for (var k = 0u; k < 4u && plane0 + k < p.planes; k++) {
      out[((plane0 + k) * p.h + iy) * p.w + ix] = acc[k];
    }
  }
#else
  let ox = gid.x;
  let oy = gid.y;
  if (ox >= p.wo || oy >= p.ho) { return; }
  let sy = source(oy, p.scaleY);
  let sx = source(ox, p.scaleX);
  let y0 = min(u32(floor(sy)), p.h - 1u);
  let x0 = min(u32(floor(sx)), p.w - 1u);
#if ${BILINEAR}
  let y1 = min(y0 + 1u, p.h - 1u);
  let x1 = min(x0 + 1u, p.w - 1u);
  let ly = sy - f32(y0);
  let lx = sx - f32(x0);
#endif
  for (var plane = gid.z; plane < p.planes; plane += nwg.z) {
    let base = plane * p.h * p.w;
#if ${BILINEAR}
    let top = src[base + y0 * p.w + x0] * (1.0 - lx) + src[base + y0 * p.w + x1] * lx;
    let bottom = src[base + y1 * p.w + x0] * (1.0 - lx) + src[base + y1 * p.w + x1] * lx;
    out[(plane * p.ho + oy) * p.wo + ox] = top * (1.0 - ly) + bottom * ly;
#else
    out[(plane * p.ho + oy) * p.wo + ox] = src[base + y0 * p.w + x0];
#endif
  }
#endif
}
