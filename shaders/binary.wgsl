// out = EXPR(a, b) with NumPy broadcasting. Shapes and strides (0 on broadcast axes) come as vec4 pairs so
// any rank up to 8 works; the BROADCAST=false variant is the plain same-shape loop.
struct Params {
  n: u32, rank: u32, _p0: u32, _p1: u32,
  shape: array<vec4u, 2>,
  aStride: array<vec4u, 2>,
  bStride: array<vec4u, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn at(v: array<vec4u, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
#if ${BROADCAST}
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = at(p.shape, u32(d));
    let c = rem % size;
    rem = rem / size;
    ia += c * at(p.aStride, u32(d));
    ib += c * at(p.bStride, u32(d));
  }
  let a = A[ia];
  let b = B[ib];
#else
  let a = A[i];
  let b = B[i];
#endif
  out[i] = ${EXPR};
}
