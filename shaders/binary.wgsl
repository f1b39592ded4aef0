// out = EXPR(a, b) with NumPy broadcasting. The host collapses the axes first (engine/shape.ts
// collapseAxes), so a per-channel operand of an NCHW tensor is a rank-3 walk. Shapes and strides (0 on
// broadcast axes) come as vec4 pairs, so any rank up to 8 works; BROADCAST=false is the plain
// same-layout loop, and A_DIRECT / B_DIRECT read an operand laid out like the output at the flat index.
// With fast division (indexCode), the flat index is split into coordinates with a float reciprocal instead
// of u32 division, which CPU adapters emulate lane by lane. It is exact while n <= 2^24: the index is an exact f32, the estimate q of index / size is off by less than one (size >= 2 after collapsing, so
// q < 2^23 and the two roundings cost < q * 2^-23 < 1), and one correction step each way fixes it.
struct Params {
  n: u32, rank: u32, _p0: u32, _p1: u32,
  shape: array<vec4u, 2>,
  aStride: array<vec4u, 2>,
  bStride: array<vec4u, 2>,
#if ${BROADCAST}
  inverse: array<vec4f, 2>,
#endif
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;


@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
#if ${BROADCAST}
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  // Generated per rank (engine/ops/elementwise.ts indexCode): innermost axis first, constant component
  // indices, no division for the outermost axis.
  ${INDEX_CODE}
#if ${A_DIRECT}
  let a = A[i];
#else
  let a = A[ia];
#endif
#if ${B_DIRECT}
  let b = B[i];
#else
  let b = B[ib];
#endif
#else
  let a = A[i];
  let b = B[i];
#endif
  out[i] = ${EXPR};
}
