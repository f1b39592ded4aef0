// 2-D pooling over NCHW planes (window k, stride s, zero padding pad; out size ho x wo).
//   AVG_FWD   out[o] = sum of the window / (k * k)            (PyTorch count_include_pad = true)
//   AVG_ADJ   out[i] = sum over windows containing i of g / (k * k)   (avg-pool's backward; adjoint)
//   MAX_FWD   out[o] = max of the window; idx[o] = plane offset of the max (first on ties)
//   MAX_ADJ   out[i] = sum over windows containing i whose idx is i of g   (max-pool's backward)
//   MAX_GATHER out[o] = src[idx[o]]                           (the adjoint of MAX_ADJ)
// Every mode writes each output element from a gather, so no atomics are needed.
struct Params { planes: u32, h: u32, w: u32, ho: u32, wo: u32, k: i32, stride: i32, pad: i32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
#if ${MAX_FWD}
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<i32>;
#elif ${USES_IDX}
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#else
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
#endif

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
#if ${ADJOINT}
  // One invocation per input pixel.
  if (i >= p.planes * p.h * p.w) { return; }
  let plane = i / (p.h * p.w);
  let r = i32(i % (p.h * p.w));
  let iy = r / i32(p.w);
  let ix = r % i32(p.w);
  // Windows (oy, ox) with oy * stride - pad <= iy < oy * stride - pad + k.
  let oy0 = max(0, (iy + p.pad - p.k + p.stride) / p.stride);
  let ox0 = max(0, (ix + p.pad - p.k + p.stride) / p.stride);
  let oy1 = min(i32(p.ho) - 1, (iy + p.pad) / p.stride);
  let ox1 = min(i32(p.wo) - 1, (ix + p.pad) / p.stride);
  var acc = 0.0;
  for (var oy = oy0; oy <= oy1; oy++) {
    for (var ox = ox0; ox <= ox1; ox++) {
      let o = plane * p.ho * p.wo + u32(oy) * p.wo + u32(ox);
#if ${USES_IDX}
      if (idx[o] == r) { acc += src[o]; }
#else
      acc += src[o];
#endif
    }
  }
#if ${USES_IDX}
  out[i] = acc;
#else
  out[i] = acc / f32(p.k * p.k);
#endif
#else
  // One invocation per output pixel.
  if (i >= p.planes * p.ho * p.wo) { return; }
  let plane = i / (p.ho * p.wo);
  let r = i % (p.ho * p.wo);
#if ${USES_IDX}
  out[i] = src[plane * p.h * p.w + u32(idx[i])];
#else
  let y0 = i32(r / p.wo) * p.stride - p.pad;
  let x0 = i32(r % p.wo) * p.stride - p.pad;
  let base = plane * p.h * p.w;
#if ${MAX_FWD}
  var best = -3.402823e38;
  var at = -1;
#else
  var acc = 0.0;
#endif
  for (var dy = 0; dy < p.k; dy++) {
    let y = y0 + dy;
    if (y < 0 || y >= i32(p.h)) { continue; }
    for (var dx = 0; dx < p.k; dx++) {
      let x = x0 + dx;
      if (x < 0 || x >= i32(p.w)) { continue; }
      let v = src[base + u32(y) * p.w + u32(x)];
#if ${MAX_FWD}
      // The first tap always counts, so a window of -inf (or NaN) still records a valid index.
      if (at < 0 || v > best) { best = v; at = y * i32(p.w) + x; }
#else
      acc += v;
#endif
    }
  }
#if ${MAX_FWD}
  out[i] = best;
  idx[i] = at;
#else
  out[i] = acc / f32(p.k * p.k);
#endif
#endif
#endif
}
