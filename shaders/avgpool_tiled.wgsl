// Average pooling with non-overlapping windows (kernel == stride, no padding), and its adjoint, on a 3-D
// grid (x, y, plane) so coordinates need no integer division (CPU adapters emulate vector division
// lane by lane, which made the flat-index version ~10x slower on lavapipe).
// The workgroup is WG_X x WG_Y x WG_Z (64 invocations) shaped to the plane, so small planes (ConvNet's
// 8x8 and 4x4) fill the SIMD lanes with several planes instead of leaving them idle.
struct Params { h: u32, w: u32, ho: u32, wo: u32, k: u32, planes: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(${WG_X}, ${WG_Y}, ${WG_Z})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let plane = gid.z;
  if (plane >= p.planes) { return; }
  let scale = 1.0 / f32(p.k * p.k);
#if ${ADJOINT}
  let x = gid.x;
  let y = gid.y;
  if (x >= p.w || y >= p.h) { return; }
  // The one window containing (y, x), if the input size is not a multiple of k it may be none.
#if ${K2}
  let oy = y >> 1u;
  let ox = x >> 1u;
#else
  let oy = y / p.k;
  let ox = x / p.k;
#endif
  out[(plane * p.h + y) * p.w + x] = select(0.0, src[(plane * p.ho + oy) * p.wo + ox] * scale, oy < p.ho && ox < p.wo);
#else
  let ox = gid.x;
  let oy = gid.y;
  if (ox >= p.wo || oy >= p.ho) { return; }
  var acc = 0.0;
  for (var dy = 0u; dy < p.k; dy++) {
    let row = (plane * p.h + oy * p.k + dy) * p.w + ox * p.k;
    for (var dx = 0u; dx < p.k; dx++) { acc += src[row + dx]; }
  }
  out[(plane * p.ho + oy) * p.wo + ox] = acc * scale;
#endif
}
