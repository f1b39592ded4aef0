// Resizing NCHW planes from h x w to ho x wo with PyTorch's coordinate rules.
//   NEAREST:  src = min(floor(dst * (in / out)), in - 1)
//   BILINEAR: align_corners = false: src = max((dst + 0.5) * (in / out) - 0.5, 0)
//             align_corners = true:  src = dst * (in - 1) / (out - 1)
//             interpolating between floor(src) and min(floor(src) + 1, in - 1)
// ADJOINT (the backward): each input pixel gathers from the output pixels whose source touches it, with
// the same weights. candidates() inverts the coordinate rule to bound those outputs (with a one-pixel
// margin for rounding); weight() then decides exactly, with the forward's own arithmetic.
struct Params { planes: u32, h: u32, w: u32, ho: u32, wo: u32, alignCorners: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// Source coordinate of output index d along an axis of in -> out samples.
fn source(d: u32, inSize: u32, outSize: u32) -> f32 {
#if ${BILINEAR}
  if (p.alignCorners != 0u) {
    return select(0.0, f32(d) * f32(inSize - 1u) / f32(outSize - 1u), outSize > 1u);
  }
  return max((f32(d) + 0.5) * (f32(inSize) / f32(outSize)) - 0.5, 0.0);
#else
  return f32(d) * (f32(inSize) / f32(outSize));
#endif
}

// Weight with which output index d reads input index i along one axis.
fn weight(d: u32, i: u32, inSize: u32, outSize: u32) -> f32 {
  let s = source(d, inSize, outSize);
  let i0 = min(u32(floor(s)), inSize - 1u);
#if ${BILINEAR}
  let i1 = min(i0 + 1u, inSize - 1u);
  let l = s - f32(i0);
  return select(0.0, 1.0 - l, i == i0) + select(0.0, l, i == i1);
#else
  return select(0.0, 1.0, i == i0);
#endif
}

// Output indices [lo, hi) along one axis that may read input index i.
fn candidates(i: u32, inSize: u32, outSize: u32) -> vec2u {
  let fi = f32(i);
#if ${BILINEAR}
  // Output d reads floor(s(d)) and floor(s(d)) + 1, so it touches i when s(d) lies in [i - 1, i + 1).
  var lo: f32;
  var hi: f32;
  if (p.alignCorners != 0u) {
    if (inSize == 1u || outSize == 1u) { return vec2u(0u, outSize); }
    let r = f32(outSize - 1u) / f32(inSize - 1u);
    lo = (fi - 1.0) * r;
    hi = (fi + 1.0) * r;
  } else {
    let r = f32(outSize) / f32(inSize);
    lo = (fi - 0.5) * r - 0.5;
    hi = (fi + 1.5) * r - 0.5;
  }
#else
  // Output d reads floor(d * in / out), which is i for d in [i * out / in, (i + 1) * out / in).
  let r = f32(outSize) / f32(inSize);
  let lo = fi * r;
  let hi = (fi + 1.0) * r;
#endif
  return vec2u(u32(max(0.0, floor(lo) - 1.0)), min(outSize, u32(max(0.0, ceil(hi) + 1.0))));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
#if ${ADJOINT}
  if (i >= p.planes * p.h * p.w) { return; }
  let plane = i / (p.h * p.w);
  let iy = (i / p.w) % p.h;
  let ix = i % p.w;
  let ys = candidates(iy, p.h, p.ho);
  let xs = candidates(ix, p.w, p.wo);
  var acc = 0.0;
  for (var oy = ys.x; oy < ys.y; oy++) {
    let wy = weight(oy, iy, p.h, p.ho);
    if (wy == 0.0) { continue; }
    for (var ox = xs.x; ox < xs.y; ox++) {
      acc += wy * weight(ox, ix, p.w, p.wo) * src[(plane * p.ho + oy) * p.wo + ox];
    }
  }
  out[i] = acc;
#else
  if (i >= p.planes * p.ho * p.wo) { return; }
  let plane = i / (p.ho * p.wo);
  let oy = (i / p.wo) % p.ho;
  let ox = i % p.wo;
  let base = plane * p.h * p.w;
  let sy = source(oy, p.h, p.ho);
  let sx = source(ox, p.w, p.wo);
  let y0 = min(u32(floor(sy)), p.h - 1u);
  let x0 = min(u32(floor(sx)), p.w - 1u);
#if ${BILINEAR}
  let y1 = min(y0 + 1u, p.h - 1u);
  let x1 = min(x0 + 1u, p.w - 1u);
  let ly = sy - f32(y0);
  let lx = sx - f32(x0);
  let top = src[base + y0 * p.w + x0] * (1.0 - lx) + src[base + y0 * p.w + x1] * lx;
  let bottom = src[base + y1 * p.w + x0] * (1.0 - lx) + src[base + y1 * p.w + x1] * lx;
  out[i] = top * (1.0 - ly) + bottom * ly;
#else
  out[i] = src[base + y0 * p.w + x0];
#endif
#endif
}
