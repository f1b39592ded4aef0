// Winograd backward-weight's output transform (engine/ops/winograd.ts generates LOADS, TRANSFORM and
// STORES): invocation k takes the stacked products P[z][k] of one (output channel, input channel) pair
// for every transform position z and writes its 3x3 filter gradient Gt P G to OUT[k][0 .. 9).
struct Params {
  pairs: i32, _p0: i32, _p1: i32, _p2: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = i32(gid.x);
  if (k >= p.pairs) { return; }
${LOADS}
${TRANSFORM}
${STORES}
}
